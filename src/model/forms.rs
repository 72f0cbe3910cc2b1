//! Form values by `type.field`, boxed: nearly every member and row has none, and a million
//! records and a million stored members each save 16 bytes over a map held inline.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::box_collection,
    reason = "the box is the point: 8 bytes where none is held, against the map's 24"
)]
pub struct Forms<V>(Option<Box<BTreeMap<String, V>>>);

impl<V> Default for Forms<V> {
    fn default() -> Self {
        Forms(None)
    }
}

impl<V> Forms<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.as_ref()?.get(key)
    }

    pub fn insert(&mut self, key: String, value: V) {
        self.0.get_or_insert_default().insert(key, value);
    }

    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|m| m.is_empty())
    }

    /// The values in key order.
    pub fn iter(&self) -> std::iter::Flatten<std::option::IntoIter<&BTreeMap<String, V>>> {
        self.0.as_deref().into_iter().flatten()
    }

    /// A copy as a plain map (to change and store).
    pub fn to_map(&self) -> BTreeMap<String, V>
    where
        V: Clone,
    {
        self.0.as_deref().cloned().unwrap_or_default()
    }
}

impl<V> From<BTreeMap<String, V>> for Forms<V> {
    fn from(map: BTreeMap<String, V>) -> Self {
        Forms((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl<'a, V> IntoIterator for &'a Forms<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Flatten<std::option::IntoIter<&'a BTreeMap<String, V>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_forms_hold_no_map_and_filled_ones_read_back_in_key_order() {
        let mut forms = Forms::default();
        assert!(forms.is_empty() && forms.0.is_none());
        assert_eq!(Forms::from(BTreeMap::<String, u8>::new()), forms);
        forms.insert("b.x".to_string(), 2);
        forms.insert("a.y".to_string(), 1);
        assert_eq!(forms.get("a.y"), Some(&1));
        assert_eq!(forms.get("c.z"), None);
        let keys: Vec<&String> = forms.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a.y", "b.x"]);
        assert_eq!(forms.to_map().len(), 2);
        assert_eq!(std::mem::size_of::<Forms<String>>(), 8);
    }
}
