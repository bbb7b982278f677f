//! Friendly generated run names such as `amber-falcon-417`.

const ADJECTIVES: &[&str] = &[
    "amber", "bold", "brisk", "calm", "clever", "crisp", "daring", "eager", "fabled", "fearless", "gentle", "glowing",
    "golden", "grand", "happy", "hidden", "humble", "jolly", "keen", "lively", "lucky", "merry", "mighty", "misty",
    "nimble", "noble", "polished", "proud", "quiet", "rapid", "rustic", "serene", "sharp", "silent", "silver",
    "smooth", "snowy", "spry", "steady", "stellar", "sunny", "swift", "tidy", "valiant", "vivid", "warm", "wild",
    "wise", "witty", "zesty",
];

const NOUNS: &[&str] = &[
    "badger", "bear", "beaver", "bison", "comet", "condor", "crane", "dolphin", "eagle", "falcon", "ferret", "finch",
    "fox", "gecko", "heron", "horizon", "ibis", "jaguar", "kestrel", "koala", "lark", "lemur", "lynx", "meadow",
    "meteor", "moose", "nebula", "newt", "orca", "otter", "owl", "panda", "pelican", "puffin", "quasar", "raven",
    "river", "robin", "salmon", "seal", "sparrow", "squid", "stork", "summit", "swan", "tiger", "trout", "walrus",
    "wolf", "yak",
];

/// A random `adjective-noun-number` name.
pub fn generate_run_name() -> String {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let adjective = ADJECTIVES[bytes[0] as usize % ADJECTIVES.len()];
    let noun = NOUNS[bytes[1] as usize % NOUNS.len()];
    let number = u16::from_le_bytes([bytes[2], bytes[3]]) % 1000;
    format!("{adjective}-{noun}-{number}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_have_three_parts_and_vary() {
        let names: std::collections::HashSet<String> = (0..50).map(|_| super::generate_run_name()).collect();
        assert!(names.len() > 40);
        for name in names {
            assert_eq!(name.split('-').count(), 3, "{name}");
        }
    }
}
