#!/usr/bin/env python3
"""Conformance of the stand-in rewind-eventsv2 with boto3's own `eventbridgev2` client.

Run by `cargo test -p rewind-testkit --test eventsv2` (boto3_drives_every_operation_…) with
the emulator venv's python and its pinned boto3/botocore 1.44.18 on PYTHONPATH
(xtask/src/tools.rs, CONFORMANCE_CLIENT). Usage:

    eventsv2_boto3.py ENDPOINT '["CreateEventBus", ...]'   # the operations the stand-in implements

botocore validates every request against the model before sending it and parses every
answer with its RpcV2CBOR parser. Beside that, every raw answer is decoded and walked
against the operation's output (or error) shape here: no member outside the model, every
required member present, each value of its shape's type, timestamps as CBOR tag 1, the
`smithy-protocol` and content-type headers, an error's `__type` one the operation lists
with the status its shape says. The script drives every implemented operation and makes the
stand-in answer each error of the model, then prints one JSON line of what it covered.
"""

import base64
import datetime
import io
import json
import sys
import time
import urllib.request

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import RpcV2CBORParser

ENDPOINT = sys.argv[1]
IMPLEMENTED = json.loads(sys.argv[2])
RUN = str(int(time.time() * 1000) % 10**8)

OPERATIONS_SEEN = set()
ERRORS_SEEN = set()
PROBLEMS = []
CHECKED = [0]
SERVICE_MODEL = None


def client(access_key="test"):
    """A client signing as `access_key` (12 digits: that account), every answer checked."""
    global SERVICE_MODEL
    made = boto3.client(
        "eventbridgev2",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    SERVICE_MODEL = made.meta.service_model
    made.meta.events.register("response-received.eventbridgev2.*", check_answer)
    return made


# ------------------------------------------------------------------ raw answer checks

def walk(shape, value, path):
    kind = shape.type_name
    where = path or "the body"
    if kind == "structure":
        if not isinstance(value, dict):
            PROBLEMS.append(f"{where}: a structure ({shape.name}) expected, got {type(value).__name__}")
            return
        for name in value:
            if name not in shape.members:
                PROBLEMS.append(f"{path}.{name}: not a member of {shape.name}")
        for name in shape.required_members:
            if value.get(name) is None:
                PROBLEMS.append(f"{path}.{name}: required by {shape.name}, absent")
        for name, member in value.items():
            if name in shape.members:
                walk(shape.members[name], member, f"{path}.{name}")
    elif kind == "list":
        if not isinstance(value, list):
            PROBLEMS.append(f"{where}: a list expected")
            return
        for i, item in enumerate(value):
            walk(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            PROBLEMS.append(f"{where}: a map expected")
            return
        for key, item in value.items():
            if not isinstance(key, str):
                PROBLEMS.append(f"{where}: a map key is not text")
            walk(shape.value, item, f"{path}.{key}")
    elif kind == "string":
        if not isinstance(value, str):
            PROBLEMS.append(f"{where}: a string expected, got {type(value).__name__}")
        elif shape.enum and value not in shape.enum:
            PROBLEMS.append(f"{where}: {value!r} is not one of {shape.enum}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            PROBLEMS.append(f"{where}: an integer expected, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            PROBLEMS.append(f"{where}: a boolean expected, got {value!r}")
    elif kind == "timestamp":
        if not isinstance(value, datetime.datetime):
            PROBLEMS.append(f"{where}: a timestamp (CBOR tag 1) expected, got {value!r}")
    elif kind == "blob":
        if not isinstance(value, (bytes, bytearray)):
            PROBLEMS.append(f"{where}: a byte string expected")
    elif kind in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            PROBLEMS.append(f"{where}: a number expected")


def check_answer(event_name=None, response_dict=None, **_):
    if response_dict is None:
        return
    operation = event_name.rsplit(".", 1)[-1]
    op_model = SERVICE_MODEL.operation_model(operation)
    headers = response_dict["headers"]
    status = response_dict["status_code"]
    if headers.get("smithy-protocol") != "rpc-v2-cbor":
        PROBLEMS.append(f"{operation}: smithy-protocol header {headers.get('smithy-protocol')!r}")
    if headers.get("content-type") != "application/cbor":
        PROBLEMS.append(f"{operation}: content-type {headers.get('content-type')!r}")
    body = response_dict["body"]
    if not isinstance(body, (bytes, bytearray)):
        PROBLEMS.append(f"{operation}: a streamed body")
        return
    decoded = RpcV2CBORParser().parse_data_item(io.BufferedReader(io.BytesIO(body))) if body else {}
    CHECKED[0] += 1
    if status < 300:
        OPERATIONS_SEEN.add(operation)
        walk(op_model.output_shape, decoded, operation)
        return
    code = decoded.get("__type", "")
    if set(decoded) - {"__type", "Message"}:
        PROBLEMS.append(f"{operation}: error members {sorted(decoded)}")
    errors = {e.name: e for e in op_model.error_shapes}
    if code in errors:
        expected = errors[code].metadata.get("error", {}).get("httpStatusCode")
        if expected != status:
            PROBLEMS.append(f"{operation}: {code} with status {status}, the model says {expected}")
        walk(errors[code], {k: v for k, v in decoded.items() if k != "__type"}, f"{operation}!{code}")
    elif code not in ("UnsupportedOperation", "UnknownOperationException"):
        PROBLEMS.append(f"{operation}: answered {code!r}, which the model does not list for it")


# ----------------------------------------------------------------------------- helpers

def expect_error(code, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        if got != code:
            raise AssertionError(f"{call.__name__}: expected {code}, got {got}: {e}") from None
        ERRORS_SEEN.add(code)
        return e
    raise AssertionError(f"{call.__name__}: expected {code}, it succeeded")


def admin(path, body):
    request = urllib.request.Request(
        f"{ENDPOINT}/_eventsv2/{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_active(c, arn):
    c.get_waiter("event_bus_active").wait(EventBusArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    return c.describe_event_bus(EventBusArn=arn)


def role(account="000000000000"):
    return f"arn:aws:iam::{account}:role/deliver"


def queue(name, account="000000000000"):
    return f"arn:aws:sqs:us-east-1:{account}:{name}"


# ------------------------------------------------------------------------------ steps

def buses(c):
    name = f"orders-{RUN}"
    created = c.create_event_bus(
        Name=name,
        Description="conformance",
        StorageConfiguration={"RetentionPeriodInDays": 7},
        Tags={"team": "orders"},
    )
    arn = created["EventBusArn"]
    check(created["State"] == "CREATING", f"a new bus is CREATING: {created['State']}")
    check(
        created["StorageConfiguration"]["RetentionWindowStartTime"] == created["CreationTime"],
        "a new bus's retention window starts at its creation",
    )
    expect_error("InvalidStateException", c.put_events, EventBusArn=arn,
                 Entries=[{"Source": "shop", "DetailType": "x", "Detail": "{}"}])
    expect_error("InvalidStateException", c.create_subscriber, Name="early", EventBusArn=arn,
                 InvokeConfiguration={"TargetArn": queue("q"), "RoleArn": role()})
    described = wait_active(c, arn)
    check(described["State"] == "ACTIVE", "the bus becomes ACTIVE")
    check(described["StorageConfiguration"]["RetentionPeriodInDays"] == 7, "retention kept")
    expect_error("ResourceAlreadyExistsException", c.create_event_bus, Name=name)
    expect_error("ResourceNotFoundException", c.describe_event_bus, EventBusArn=arn[:-5] + "zzzzz")
    expect_error("InvalidInputException", c.describe_event_bus, EventBusArn="arn:aws:events:us-east-1:000000000000:event-bus/classic")
    expect_error("InvalidInputException", c.create_event_bus, Name="bad name!")
    expect_error("InvalidInputException", c.create_event_bus, Name=f"r-{RUN}", StorageConfiguration={"RetentionPeriodInDays": 366})

    token = f"token-{RUN}"
    first = c.create_event_bus(Name=f"idem-{RUN}", ClientToken=token)
    again = c.create_event_bus(Name=f"idem-{RUN}", ClientToken=token)
    check(first["EventBusArn"] == again["EventBusArn"], "a repeated ClientToken gives the same bus")
    expect_error("IdempotentParameterMismatchException", c.create_event_bus,
                 Name=f"idem-{RUN}", ClientToken=token, Description="different")

    for i in range(3):
        c.create_event_bus(Name=f"page-{RUN}-{i}")
    pages = list(c.get_paginator("list_event_buses").paginate(
        NamePrefix=f"page-{RUN}", PaginationConfig={"PageSize": 2}))
    names = [b["Name"] for p in pages for b in p["EventBuses"]]
    check(len(pages) == 2 and names == sorted(names) and len(names) == 3, f"ListEventBuses pages by 2: {names}")
    check(all(b["EventBusAccountId"] == "000000000000" for p in pages for b in p["EventBuses"]), "owner account given")
    expect_error("InvalidInputException", c.list_event_buses, NextToken="not-a-token")
    expect_error("InvalidInputException", c.list_event_buses, MaxResults=101)
    other = client("111111111111").list_event_buses(NamePrefix=name)["EventBuses"]
    check(other and set(other[0]) == {"Name", "EventBusArn", "EventBusAccountId"},
          f"another account sees identity fields only: {other}")

    updated = c.update_event_bus(EventBusArn=arn, Description="updated",
                                 StorageConfiguration={"RetentionPeriodInDays": 30})
    check(updated["State"] == "ACTIVE", "a retention change does not pass through UPDATING")
    updated = c.update_event_bus(EventBusArn=arn, EncryptionConfiguration={"KmsKeyIdentifier": "alias/orders"})
    check(updated["State"] == "UPDATING", "a key change passes through UPDATING")
    expect_error("InvalidStateException", c.update_event_bus, EventBusArn=arn, Description="again")
    described = wait_active(c, arn)
    check(described["EncryptionConfiguration"]["KmsKeyIdentifier"] == "alias/orders", "key kept")
    check(described["Description"] == "updated" and described["StorageConfiguration"]["RetentionPeriodInDays"] == 30, "update kept")
    expect_error("AccessDeniedException", client("111111111111").update_event_bus, EventBusArn=arn, Description="x")

    failed = c.create_event_bus(Name=f"badkey-{RUN}", EncryptionConfiguration={"KmsKeyIdentifier": "alias/unusable"})
    time.sleep(0.5)
    failed = c.describe_event_bus(EventBusArn=failed["EventBusArn"])
    check(failed["State"] == "CREATE_FAILED" and failed["StateReason"].startswith("KMS_ACCESS_DENIED"), f"{failed}")
    c.delete_event_bus(EventBusArn=failed["EventBusArn"])
    return arn


def publishing(c, bus):
    put = c.put_events(EventBusArn=bus, Entries=[
        {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 600}),
         "Time": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc), "Resources": ["arn:aws:x"]},
        {"Source": "aws.s3", "DetailType": "x", "Detail": "{}"},
        {"Source": "shop", "DetailType": "x", "Detail": "not json"},
        {"Source": "shop", "DetailType": "x", "Detail": "{}", "SystemMetadata": {"DeduplicationId": f"d-{RUN}", "EventGroupId": "g"}},
    ])
    entries = put["Entries"]
    check(put["FailedEntryCount"] == 2, f"two entries fail: {put}")
    check(entries[0]["SuccessCode"] == "PUBLISHED" and entries[0]["EventId"], "published")
    check(entries[1]["ErrorCode"] == "InvalidArgument", f"aws. source refused: {entries[1]}")
    check(entries[2]["ErrorCode"] == "MalformedDetail", f"malformed detail refused: {entries[2]}")
    again = c.put_events(EventBusArn=bus, Entries=[
        {"Source": "shop", "DetailType": "x", "Detail": "{}", "SystemMetadata": {"DeduplicationId": f"d-{RUN}"}}])
    check(again["Entries"][0]["SuccessCode"] == "DEDUPLICATED"
          and again["Entries"][0]["EventId"] == entries[3]["EventId"], f"deduplicated: {again}")
    check(entries[3]["SequenceNumber"] > entries[0]["SequenceNumber"], "sequence numbers increase")
    content = c.put_events(EventBusArn=bus, DeduplicationConfiguration={"DeduplicationType": "CONTENT_BASED"},
                           Entries=[{"Source": "shop", "DetailType": "same", "Detail": "{}"}] * 2)
    check([e["SuccessCode"] for e in content["Entries"]] == ["PUBLISHED", "DEDUPLICATED"], f"{content}")
    big = json.dumps({"x": "y" * 300_000})
    expect_error("InvalidInputException", c.put_events, EventBusArn=bus,
                 Entries=[{"Source": "shop", "DetailType": "x", "Detail": big}] * 4)
    expect_error("ResourceNotFoundException", c.put_events, EventBusArn=bus[:-5] + "zzzzz",
                 Entries=[{"Source": "shop", "DetailType": "x"}])

    raw = c.put_raw_events(EventBusArn=bus, Entries=[
        {"Data": b'{"orderId": 1}', "Metadata": {"tenant": "a"}, "SystemMetadata": {"ContentType": "application/json"}},
        {"Data": b"\x00\x01", "SystemMetadata": {"ContentType": "application/octet-stream"}},
        {"Data": b"not json", "SystemMetadata": {"ContentType": "application/json"}},
        {"Data": b"x", "SystemMetadata": {"ContentType": "application/avro"}},
        {"Data": b"x", "SystemMetadata": {"ContentType": "application/xml"}},
    ])
    codes = [e.get("SuccessCode") or e.get("ErrorCode") for e in raw["Entries"]]
    check(codes == ["PUBLISHED", "PUBLISHED", "MalformedData", "InvalidArgument", "InvalidContentType"], f"{codes}")
    expect_error("SchemaRegistryUnavailableException", c.put_raw_events, EventBusArn=bus,
                 SchemaRegistryConfiguration={"RegistryUri": "arn:aws:glue:us-east-1:000000000000:registry/r"},
                 Entries=[{"Data": b"x", "SystemMetadata": {"ContentType": "application/avro"}}])


def subscribers(c, bus):
    bus_described = c.describe_event_bus(EventBusArn=bus)
    window = bus_described["StorageConfiguration"]["RetentionWindowStartTime"]
    invoke = {"TargetArn": queue(f"q-{RUN}"), "RoleArn": role(),
              "SqsParameters": {"MessageGroupId": "{% $events.Data.detail.group %}"}}
    live = c.create_subscriber(
        Name="live", EventBusArn=bus, InvokeConfiguration=invoke, Description="all orders",
        FilterConfiguration={"Filters": [{"Scope": "DATA", "Pattern": json.dumps({"source": ["shop"]})}]},
        Type="FIFO", StartingPosition="LATEST", BatchConfiguration={"MaxBatchSize": 5},
        RetryPolicy={"MaxRetryAttempts": 0}, OnFailureConfiguration={"Arn": queue(f"dlq-{RUN}")},
        LogConfiguration={"Level": "INFO"}, Tags={"k": "v"},
        Transformer={"Type": "WITH_METADATA"})
    check(live["State"] == "RUNNING" and live["Type"] == "FIFO", f"{live}")
    described = c.describe_subscriber(SubscriberArn=live["SubscriberArn"])
    check(described["BatchConfiguration"] == {"MaxBatchSize": 5, "MaxBatchWindowInSeconds": 0}, f"{described['BatchConfiguration']}")
    check(described["RetryPolicy"]["MaxEventAgeInSeconds"] == 300, "retry defaults resolved")
    check(described["LogConfiguration"] == {"Level": "INFO", "IncludePayload": "ON_ERROR_ONLY"}, "log defaults resolved")
    check("Revoked" not in described, "Revoked is absent unless true")
    expect_error("ResourceAlreadyExistsException", c.create_subscriber, Name="live", EventBusArn=bus, InvokeConfiguration=invoke)
    expect_error("ResourceNotFoundException", c.create_subscriber, Name="x", EventBusArn=bus[:-5] + "zzzzz", InvokeConfiguration=invoke)
    expect_error("InvalidInputException", c.create_subscriber, Name="nofilters", EventBusArn=bus,
                 InvokeConfiguration=invoke, FilterConfiguration={})
    expect_error("InvalidInputException", c.create_subscriber, Name="badpattern", EventBusArn=bus,
                 InvokeConfiguration=invoke, FilterConfiguration={"Filters": [{"Scope": "DATA", "Pattern": '{"a": "b"}'}]})
    expect_error("InvalidInputException", c.create_subscriber, Name="sns", EventBusArn=bus,
                 InvokeConfiguration={"TargetArn": queue("q"), "RoleArn": role(), "SnsParameters": {"Subject": "x"}})
    expect_error("InvalidInputException", c.create_subscriber, Name="foreign", EventBusArn=bus,
                 InvokeConfiguration={"TargetArn": queue("q", "222222222222"), "RoleArn": role()})
    expect_error("InvalidInputException", c.create_subscriber, Name="self", EventBusArn=bus,
                 InvokeConfiguration={"TargetArn": bus, "RoleArn": role()})
    expect_error("InvalidInputException", c.create_subscriber, Name="batch", EventBusArn=bus,
                 InvokeConfiguration=invoke, BatchConfiguration={"MaxBatchSize": 11})

    hour = datetime.timedelta(hours=1)
    pit = lambda **config: dict(Name=f"pit-{len(config)}-{time.time_ns()}", EventBusArn=bus, InvokeConfiguration=invoke,
                                StartingPosition="POINT_IN_TIME", PointInTimeConfiguration=config)
    expect_error("InvalidInputException", c.create_subscriber, **pit(PointType="TIMESTAMP", StartingPoint=window - hour))
    expect_error("InvalidInputException", c.create_subscriber,
                 **pit(PointType="TIMESTAMP", StartingPoint=datetime.datetime.now(datetime.timezone.utc) + hour))
    expect_error("InvalidInputException", c.create_subscriber, **pit(PointType="TIMESTAMP"))
    expect_error("InvalidInputException", c.create_subscriber,
                 **pit(PointType="TIMESTAMP", StartingPoint=window, EndPoint=window))
    expect_error("InvalidInputException", c.create_subscriber,
                 Name="pit-missing", EventBusArn=bus, InvokeConfiguration=invoke, StartingPosition="POINT_IN_TIME")
    end = datetime.datetime.now(datetime.timezone.utc)
    replay = c.create_subscriber(**pit(PointType="TIMESTAMP", StartingPoint=window, EndPoint=end))
    check(replay["PointInTimeConfiguration"]["EndPoint"] == end.replace(microsecond=end.microsecond // 1000 * 1000),
          f"EndPoint kept to the millisecond: {replay['PointInTimeConfiguration']}")
    horizon = c.create_subscriber(**pit(PointType="HORIZON"))

    for i in range(3):
        c.create_subscriber(Name=f"page-{i}", EventBusArn=bus, InvokeConfiguration=invoke, State="STOPPED")
    pages = list(c.get_paginator("list_subscribers").paginate(
        EventBusArn=bus, NamePrefix="page-", PaginationConfig={"PageSize": 2}))
    names = [s["Name"] for p in pages for s in p["Subscribers"]]
    check(names == ["page-0", "page-1", "page-2"] and len(pages) == 2, f"ListSubscribers pages by 2: {names}")
    mine = [s["Name"] for p in c.get_paginator("list_subscribers").paginate() for s in p["Subscribers"]]
    check("live" in mine, "ListSubscribers without a bus spans the caller's subscribers")
    expect_error("ResourceNotFoundException", c.list_subscribers, EventBusArn=bus[:-5] + "zzzzz")

    sub = live["SubscriberArn"]
    stopped = c.update_subscriber(SubscriberArn=sub, State="STOPPED")
    check(stopped["State"] == "STOPPED" and stopped["LastModifiedTime"], f"{stopped}")
    resumed = c.update_subscriber(SubscriberArn=sub, State="RUNNING", ResumePosition="LAST_PROCESSED")
    check(resumed["State"] == "RUNNING", "resumed")
    c.update_subscriber(SubscriberArn=replay["SubscriberArn"], State="STOPPED")
    expect_error("InvalidInputException", c.update_subscriber, SubscriberArn=replay["SubscriberArn"],
                 State="RUNNING", ResumePosition="LATEST")
    c.update_subscriber(SubscriberArn=sub, FilterConfiguration={}, LogConfiguration={}, Description="",
                        InvokeConfiguration={"RoleArn": role(), "SqsParameters": {"DelaySeconds": "1"}})
    described = c.describe_subscriber(SubscriberArn=sub)
    check("FilterConfiguration" not in described and "Description" not in described, f"cleared: {described}")
    check(described["LogConfiguration"]["Level"] == "OFF", "LogConfiguration {} restores the defaults")
    check(described["InvokeConfiguration"]["TargetArn"] == invoke["TargetArn"], "the target never changes")
    expect_error("InvalidInputException", c.update_subscriber, SubscriberArn=sub,
                 FilterConfiguration={"Language": "EVENT_BRIDGE_PATTERN"})
    expect_error("InvalidInputException", c.update_subscriber, SubscriberArn=sub,
                 InvokeConfiguration={"RoleArn": role(), "LambdaParameters": {}})
    expect_error("ResourceNotFoundException", c.update_subscriber, SubscriberArn=sub[:-5] + "zzzzz", State="STOPPED")
    expect_error("ResourceNotFoundException", c.describe_subscriber, SubscriberArn=sub[:-5] + "zzzzz")

    stranger = client("111111111111")
    theirs = stranger.create_subscriber(Name="theirs", EventBusArn=bus,
                                        InvokeConfiguration={"TargetArn": queue("q", "111111111111"), "RoleArn": role("111111111111")})
    listed = {s["Name"]: s for s in c.list_subscribers(EventBusArn=bus)["Subscribers"]}
    check(listed["theirs"]["SubscriberAccountId"] == "111111111111", "another account's subscriber is marked")
    expect_error("AccessDeniedException", c.delete_subscriber, SubscriberArn=theirs["SubscriberArn"])
    expect_error("AccessDeniedException", stranger.revoke_resource, Arn=sub)
    revoked = c.revoke_resource(Arn=theirs["SubscriberArn"])
    check(revoked["Arn"] == theirs["SubscriberArn"], "revoked")
    check(c.revoke_resource(Arn=theirs["SubscriberArn"])["Arn"] == theirs["SubscriberArn"], "revoking twice is idempotent")
    check(c.describe_subscriber(SubscriberArn=theirs["SubscriberArn"])["Revoked"] is True, "Revoked: true")
    listed = {s["Name"]: s for s in c.list_subscribers(EventBusArn=bus)["Subscribers"]}
    check(listed["theirs"].get("Revoked") is True and "Revoked" not in listed["live"], "Revoked listed only when true")
    expect_error("InvalidStateException", stranger.update_subscriber, SubscriberArn=theirs["SubscriberArn"], State="STOPPED")
    expect_error("InvalidStateException", stranger.tag_resource, ResourceArn=theirs["SubscriberArn"], Tags={"a": "b"})
    expect_error("ResourceNotFoundException", c.revoke_resource,
                 Arn="arn:aws:events:us-east-1:000000000000:subscriber/none/abcdefghijklmnopqrstuvwxy")
    stranger.delete_subscriber(SubscriberArn=theirs["SubscriberArn"])
    return [live["SubscriberArn"], replay["SubscriberArn"], horizon["SubscriberArn"]]


def tags(c, bus, sub):
    for arn in (bus, sub):
        c.tag_resource(ResourceArn=arn, Tags={"env": "test", "owner": "rewind"})
        got = c.list_tags_for_resource(ResourceArn=arn)["Tags"]
        check(got.get("env") == "test" and got.get("owner") == "rewind", f"tags: {got}")
        c.untag_resource(ResourceArn=arn, TagKeys=["owner"])
        check("owner" not in c.list_tags_for_resource(ResourceArn=arn)["Tags"], "untagged")
    expect_error("ResourceNotFoundException", c.list_tags_for_resource, ResourceArn=bus[:-5] + "zzzzz")
    expect_error("InvalidInputException", c.tag_resource, ResourceArn=bus, Tags={"aws:x": "y"})
    c.tag_resource(ResourceArn=bus, Tags={f"a{i}": "x" for i in range(150)})
    expect_error("LimitExceededException", c.tag_resource, ResourceArn=bus, Tags={f"b{i}": "x" for i in range(60)})


def policies(c, bus):
    document = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "events:PutEvents", "Resource": bus}]})
    put = c.put_resource_policy(ResourceArn=bus, PolicyDocument=document, ExpectedRevisionId="NO_POLICY")
    check(put["PolicyName"] == "default" and put["RevisionId"], f"{put}")
    got = c.get_resource_policy(ResourceArn=bus)
    check(got["PolicyDocument"] == document and got["RevisionId"] == put["RevisionId"], f"{got}")
    listed = c.list_resource_policies(ResourceArn=bus)["PolicySummaries"]
    check(listed == [{"PolicyName": "default", "RevisionId": put["RevisionId"]}], f"{listed}")
    expect_error("ConflictException", c.put_resource_policy, ResourceArn=bus, PolicyDocument=document,
                 ExpectedRevisionId="NO_POLICY")
    expect_error("PublicPolicyException", c.put_resource_policy, ResourceArn=bus, PolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": bus}]}))
    expect_error("PolicyLengthExceededException", c.put_resource_policy, ResourceArn=bus,
                 PolicyDocument=json.dumps({"Sid": "\u00e9" * 200_000}, ensure_ascii=False))
    expect_error("AccessDeniedException", c.put_resource_policy, ResourceArn=bus, PolicyDocument=document, PolicyName="AWS_RAM")
    expect_error("ResourceNotFoundException", c.get_resource_policy, ResourceArn=bus, PolicyName="AWS_RAM")
    expect_error("ConflictException", c.delete_resource_policy, ResourceArn=bus, ExpectedRevisionId="stale")
    deleted = c.delete_resource_policy(ResourceArn=bus, ExpectedRevisionId=put["RevisionId"])
    check(deleted["RevisionId"] == put["RevisionId"], f"{deleted}")
    check("RevisionId" not in c.delete_resource_policy(ResourceArn=bus), "deleting an absent policy succeeds")
    expect_error("ResourceNotFoundException", c.get_resource_policy, ResourceArn=bus)


def injected(c, bus):
    for code, status in [("ThrottlingException", 429), ("ConcurrentModificationException", 409), ("InternalException", 500)]:
        admin("faults", {"operation": "UpdateEventBus", "error": code, "times": 1})
        e = expect_error(code, c.update_event_bus, EventBusArn=bus, Description="injected")
        check(e.response["ResponseMetadata"]["HTTPStatusCode"] == status, f"{code}: {status}")


def teardown(c, bus, subs):
    expect_error("ResourceInUseException", c.delete_event_bus, EventBusArn=bus)
    for page in c.get_paginator("list_subscribers").paginate(EventBusArn=bus):
        for s in page["Subscribers"]:
            c.delete_subscriber(SubscriberArn=s["SubscriberArn"])
    expect_error("ResourceNotFoundException", c.delete_subscriber, SubscriberArn=subs[0])
    c.delete_event_bus(EventBusArn=bus)
    check(c.describe_event_bus(EventBusArn=bus)["State"] == "DELETING", "a deleted bus is DELETING")
    expect_error("InvalidStateException", c.delete_event_bus, EventBusArn=bus)
    c.get_waiter("event_bus_deleted").wait(EventBusArn=bus, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    expect_error("ResourceNotFoundException", c.describe_event_bus, EventBusArn=bus)


def unsupported(c, bus):
    e = expect_error("UnsupportedOperation", c.list_event_sources)
    check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, "unsupported is a 400")


def main():
    c = client()
    check(tuple(int(p) for p in botocore.__version__.split(".")[:3]) >= (1, 44, 18),
          f"botocore {botocore.__version__} predates eventbridgev2")
    check(SERVICE_MODEL.protocol == "smithy-rpc-v2-cbor", SERVICE_MODEL.protocol)
    bus = buses(c)
    publishing(c, bus)
    subs = subscribers(c, bus)
    tags(c, bus, subs[0])
    policies(c, bus)
    injected(c, bus)
    unsupported(c, bus)
    teardown(c, bus, subs)

    model_errors = sorted(s for s in SERVICE_MODEL.shape_names if SERVICE_MODEL.shape_for(s).metadata.get("exception"))
    missing_ops = sorted(set(IMPLEMENTED) - OPERATIONS_SEEN)
    missing_errors = sorted(set(model_errors) - ERRORS_SEEN)
    summary = {
        "botocore": botocore.__version__,
        "operationsInModel": len(SERVICE_MODEL.operation_names),
        "operationsCovered": sorted(OPERATIONS_SEEN),
        "errorsInModel": model_errors,
        "errorsCovered": sorted(ERRORS_SEEN & set(model_errors)),
        "answersChecked": CHECKED[0],
        "problems": PROBLEMS,
        "missingOperations": missing_ops,
        "missingErrors": missing_errors,
    }
    print(json.dumps(summary))
    if PROBLEMS or missing_ops or missing_errors:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(json.dumps({"failed": str(e), "problems": PROBLEMS}))
        sys.exit(1)
