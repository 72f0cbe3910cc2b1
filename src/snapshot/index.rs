//! The snapshot's identifier indexes: members by external_id, email and phone.

use crate::model::{Member, identifier_key};

/// Members by one identifier. The table holds only member indices (4 bytes each, not a copy of
/// every identifier): a lookup hashes the key and compares it with the member's own value.
#[derive(Clone, Default)]
pub(super) struct IdIndex {
    field: Option<crate::model::Field>,
    table: hashbrown::HashTable<u32>,
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdIndex({:?}, {} entries)", self.field, self.table.len())
    }
}

/// Fixed seeds: the hash only has to be good, not secret, and must agree between build and find.
fn id_hash(key: &str) -> u64 {
    ahash::RandomState::with_seeds(0x5eed, 0xc0ffee, 0xfeed, 0xbeef).hash_one(key)
}

/// The three identifier indexes of a snapshot.
#[derive(Debug, Clone, Default)]
pub(super) struct IdIndexes {
    pub(super) external_id: IdIndex,
    pub(super) email: IdIndex,
    pub(super) phone: IdIndex,
}

/// From this many members the three indexes are built on three threads.
const PARALLEL_INDEX_MEMBERS: usize = 50_000;

impl IdIndexes {
    pub(super) fn of(members: &[Member]) -> IdIndexes {
        use crate::model::Field::{Email, ExternalId, Phone};
        if members.len() < PARALLEL_INDEX_MEMBERS {
            return IdIndexes {
                external_id: IdIndex::build(members, ExternalId),
                email: IdIndex::build(members, Email),
                phone: IdIndex::build(members, Phone),
            };
        }
        let ((email, phone), external_id) = crate::parallel::join(
            || {
                crate::parallel::join(
                    || IdIndex::build(members, Email),
                    || IdIndex::build(members, Phone),
                )
            },
            || IdIndex::build(members, ExternalId),
        );
        IdIndexes {
            external_id,
            email,
            phone,
        }
    }
}

impl IdIndex {
    fn build(members: &[Member], field: crate::model::Field) -> IdIndex {
        let mut table = hashbrown::HashTable::with_capacity(members.len());
        let key_of = |j: u32| {
            members[j as usize]
                .get(field)
                .map(|v| identifier_key(field, v))
        };
        for i in 0..members.len() as u32 {
            let Some(key) = key_of(i) else { continue };
            let hash = id_hash(&key);
            // One probe; the first member with a key keeps it.
            if let hashbrown::hash_table::Entry::Vacant(slot) = table.entry(
                hash,
                |&j| key_of(j).as_ref() == Some(&key),
                |&j| id_hash(&key_of(j).unwrap_or_default()),
            ) {
                slot.insert(i);
            }
        }
        IdIndex {
            field: Some(field),
            table,
        }
    }

    pub(super) fn find(&self, members: &[Member], key: &str) -> Option<usize> {
        let field = self.field?;
        self.table
            .find(id_hash(key), |&j| {
                members[j as usize]
                    .get(field)
                    .is_some_and(|v| identifier_key(field, v) == key)
            })
            .map(|&j| j as usize)
    }
}
