//! CBOR data items (RFC 8949) as the stand-in reads and writes them: a generic value read
//! from a request body, and a writer for response bodies. Which CBOR type a member takes is
//! the model's business (`model.rs`); this file only knows CBOR.

use minicbor::data::{Tag, Type};
use minicbor::{Decoder, Encoder};

/// One CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Null,
    Undefined,
    Bool(bool),
    Int(i128),
    Float(f64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Item>),
    Map(Vec<(Item, Item)>),
    Tagged(u64, Box<Item>),
}

/// Nesting deeper than this is refused (a request body is never that deep).
const MAX_DEPTH: usize = 64;

/// The single data item `bytes` holds; an empty body reads as an empty map (an input
/// structure with no member set).
pub fn decode(bytes: &[u8]) -> Result<Item, String> {
    if bytes.is_empty() {
        return Ok(Item::Map(Vec::new()));
    }
    let mut decoder = Decoder::new(bytes);
    let item = read(&mut decoder, 0)?;
    if decoder.position() != bytes.len() {
        return Err(format!(
            "{} bytes follow the body's CBOR data item",
            bytes.len() - decoder.position()
        ));
    }
    Ok(item)
}

fn read(d: &mut Decoder<'_>, depth: usize) -> Result<Item, String> {
    if depth > MAX_DEPTH {
        return Err("CBOR nested too deeply".to_owned());
    }
    let e = |e: minicbor::decode::Error| format!("malformed CBOR: {e}");
    Ok(match d.datatype().map_err(e)? {
        Type::Bool => Item::Bool(d.bool().map_err(e)?),
        Type::Null => {
            d.null().map_err(e)?;
            Item::Null
        }
        Type::Undefined => {
            d.undefined().map_err(e)?;
            Item::Undefined
        }
        Type::U8
        | Type::U16
        | Type::U32
        | Type::U64
        | Type::I8
        | Type::I16
        | Type::I32
        | Type::I64
        | Type::Int => Item::Int(i128::from(d.int().map_err(e)?)),
        Type::F16 | Type::F32 | Type::F64 => Item::Float(d.f64().map_err(e)?),
        Type::Bytes | Type::BytesIndef => {
            let mut bytes = Vec::new();
            for chunk in d.bytes_iter().map_err(e)? {
                bytes.extend_from_slice(chunk.map_err(e)?);
            }
            Item::Bytes(bytes)
        }
        Type::String | Type::StringIndef => {
            let mut text = String::new();
            for chunk in d.str_iter().map_err(e)? {
                text.push_str(chunk.map_err(e)?);
            }
            Item::Text(text)
        }
        Type::Array | Type::ArrayIndef => {
            let mut items = Vec::new();
            match d.array().map_err(e)? {
                Some(n) => {
                    for _ in 0..n {
                        items.push(read(d, depth + 1)?);
                    }
                }
                None => {
                    while d.datatype().map_err(e)? != Type::Break {
                        items.push(read(d, depth + 1)?);
                    }
                    d.skip().map_err(e)?;
                }
            }
            Item::Array(items)
        }
        Type::Map | Type::MapIndef => {
            let mut entries = Vec::new();
            match d.map().map_err(e)? {
                Some(n) => {
                    for _ in 0..n {
                        let key = read(d, depth + 1)?;
                        entries.push((key, read(d, depth + 1)?));
                    }
                }
                None => {
                    while d.datatype().map_err(e)? != Type::Break {
                        let key = read(d, depth + 1)?;
                        entries.push((key, read(d, depth + 1)?));
                    }
                    d.skip().map_err(e)?;
                }
            }
            Item::Map(entries)
        }
        Type::Tag => {
            let tag = d.tag().map_err(e)?;
            Item::Tagged(tag.as_u64(), Box::new(read(d, depth + 1)?))
        }
        other => return Err(format!("unsupported CBOR type {other}")),
    })
}

/// The bytes of `item` in CBOR: definite lengths, every float a 64-bit double, tags kept.
pub fn encode(item: &Item) -> Vec<u8> {
    let mut encoder = Encoder::new(Vec::new());
    write(&mut encoder, item);
    encoder.into_writer()
}

fn write(e: &mut Encoder<Vec<u8>>, item: &Item) {
    // Writing to a Vec cannot fail (its error type is `Infallible`).
    let _ = match item {
        Item::Null => e.null(),
        Item::Undefined => e.undefined(),
        Item::Bool(b) => e.bool(*b),
        Item::Int(i) => e.i128(*i),
        Item::Float(f) => e.f64(*f),
        Item::Bytes(b) => e.bytes(b),
        Item::Text(t) => e.str(t),
        Item::Array(items) => {
            let _ = e.array(items.len() as u64);
            for item in items {
                write(e, item);
            }
            Ok(e)
        }
        Item::Map(entries) => {
            let _ = e.map(entries.len() as u64);
            for (key, value) in entries {
                write(e, key);
                write(e, value);
            }
            Ok(e)
        }
        Item::Tagged(tag, inner) => {
            let _ = e.tag(Tag::new(*tag));
            write(e, inner);
            Ok(e)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_of_item() {
        let item = Item::Map(vec![
            (Item::Text("a".into()), Item::Int(-3)),
            (Item::Text("b".into()), Item::Float(1.5)),
            (
                Item::Text("c".into()),
                Item::Tagged(1, Box::new(Item::Float(1_700_000_000.25))),
            ),
            (
                Item::Text("d".into()),
                Item::Array(vec![Item::Bool(true), Item::Null, Item::Bytes(vec![0, 1])]),
            ),
        ]);
        assert_eq!(decode(&encode(&item)), Ok(item));
    }

    #[test]
    fn reads_indefinite_lengths_and_an_empty_body() {
        // {_ "a": [_ 1, 2], "b": (_ "x", "y")}
        let bytes = [
            0xbf, 0x61, b'a', 0x9f, 0x01, 0x02, 0xff, 0x61, b'b', 0x7f, 0x61, b'x', 0x61, b'y',
            0xff, 0xff,
        ];
        assert_eq!(
            decode(&bytes),
            Ok(Item::Map(vec![
                (
                    Item::Text("a".into()),
                    Item::Array(vec![Item::Int(1), Item::Int(2)])
                ),
                (Item::Text("b".into()), Item::Text("xy".into())),
            ]))
        );
        assert_eq!(decode(&[]), Ok(Item::Map(Vec::new())));
        assert!(decode(&[0xa1, 0x61]).is_err(), "truncated");
        assert!(decode(&[0x01, 0x02]).is_err(), "trailing bytes");
    }
}
