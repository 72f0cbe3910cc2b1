//! Query parameters, read by name into typed values: a bad or unknown one is a `400`
//! problem that names it (never axum's plain-text rejection).

use super::problem::Problem;
use crate::error::ServeError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;

#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params, Problem> {
        match Query::<Vec<(String, String)>>::from_request_parts(parts, state).await {
            Ok(Query(pairs)) => Ok(Params(pairs)),
            Err(e) => Err(Problem::bad_request(ServeError::BadParameter {
                name: "(query)".into(),
                reason: e.body_text(),
            })),
        }
    }
}

impl Params {
    /// Refuses any parameter not in `known`, and any given twice but `map` (the one
    /// repeatable option, as the flag is): which of two values was meant cannot be told.
    pub fn only(&self, known: &[&str]) -> Result<&Params, Problem> {
        if let Some((k, _)) = self.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            return Err(Problem::bad_request(ServeError::UnknownParameter(
                k.clone(),
            )));
        }
        for (i, (k, _)) in self.0.iter().enumerate() {
            if k != "map" && self.0[..i].iter().any(|(seen, _)| seen == k) {
                return Err(Problem::bad_request(ServeError::DuplicateParameter(
                    k.clone(),
                )));
            }
        }
        Ok(self)
    }

    /// Every value given for `name`, in order.
    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value given for `name` (once: [`Params::only`] refuses repeats).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name` parsed as `T`, when given.
    pub fn parse<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, Problem>
    where
        T::Err: std::fmt::Display,
    {
        self.get(name)
            .map(|v| {
                v.parse::<T>().map_err(|e| {
                    Problem::bad_request(ServeError::BadParameter {
                        name: name.to_string(),
                        reason: e.to_string(),
                    })
                })
            })
            .transpose()
    }

    /// A boolean flag: absent is false; `true`/`false`/`1`/`0`, or present without a value.
    pub fn flag(&self, name: &str) -> Result<bool, Problem> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(false),
            Some("" | "true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(_) => Err(Problem::bad_request(ServeError::BadParameter {
                name: name.to_string(),
                reason: "expected true or false".into(),
            })),
        }
    }
}
