//! The groups claim, as a hostile identity provider or a forged request might send it
//! (`[Team rewind-admins]`, `x,rewind-admins`, quotes, brackets, unicode spaces): never
//! panics, and every group it grants is a plain name the claim carries unambiguously.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::roles::{groups_claim, is_claimable_group_name};

fuzz_target!(|claim: &str| {
    for group in groups_claim(claim) {
        assert!(is_claimable_group_name(group), "{claim:?} granted {group:?}");
        assert!(!group.chars().any(|c| c.is_whitespace() || ",[]\"\\".contains(c)));
        assert!(claim.contains(group));
    }
});
