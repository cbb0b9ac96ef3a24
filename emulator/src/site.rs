//! What Track writes do to one workspace's data. Track v1 and v2 (and the App reads) share this
//! state, so both APIs reach every operation through these functions.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::state::{IdKind, Rel, RelPerson, Segment, SiteData};
use crate::{Device, Person, Relationship, StoredEvent, StoredObject};

impl Person {
    /// How tests and stored events name the person: the id, else the email, else `cio_<cio_id>`.
    pub(crate) fn label(&self) -> String {
        self.id
            .clone()
            .or_else(|| self.email.clone())
            .unwrap_or_else(|| format!("cio_{}", self.cio_id))
    }
}

/// Which object an operation addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ObjectSel<'a> {
    /// `{object_type_id, object_id}`: created when missing.
    Key(&'a str, &'a str),
    /// `{cio_object_id}`: update only.
    Cio(&'a str),
}

/// The person side of a relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PersonSel<'a> {
    Known(IdKind<'a>),
    Anonymous(&'a str),
}

/// One relationship to add or delete.
#[derive(Clone, Debug)]
pub(crate) struct Link<'a> {
    pub(crate) person: PersonSel<'a>,
    pub(crate) object: ObjectSel<'a>,
    pub(crate) attributes: Map<String, Value>,
}

/// Emails compare case-insensitively, everything else exactly.
fn same_identifier(a: &str, b: &str) -> bool {
    a == b || (a.contains('@') && a.eq_ignore_ascii_case(b))
}

impl SiteData {
    /// A segment's members as [`Person::label`]s, in creation order of the people.
    pub(crate) fn member_labels(&self, segment: &Segment) -> Vec<String> {
        self.people
            .iter()
            .filter(|p| segment.members.contains(&p.cio_id))
            .map(Person::label)
            .collect()
    }

    /// The relationships as the public type, naming each person by their label.
    pub(crate) fn relationships_out(&self) -> Vec<Relationship> {
        self.relationships
            .iter()
            .map(|rel| {
                let (person, cio_id) = match &rel.person {
                    RelPerson::Cio(cio) => {
                        let label = self.find(IdKind::Cio(cio)).map_or_else(
                            || format!("cio_{cio}"),
                            |index| self.people[index].label(),
                        );
                        (label, Some(cio.clone()))
                    }
                    RelPerson::Anonymous(id) => (id.clone(), None),
                };
                Relationship {
                    person,
                    cio_id,
                    object_type_id: rel.object_type_id.clone(),
                    object_id: rel.object_id.clone(),
                    attributes: rel.attributes.clone(),
                }
            })
            .collect()
    }

    pub(crate) fn is_suppressed(&self, value: &str) -> bool {
        self.suppressions
            .iter()
            .flatten()
            .any(|v| same_identifier(v, value))
    }

    /// Identify: updates the person `kind` names, or the one the body's `id`/`email` names, or
    /// creates one; then merges `attributes`. `None` when the real API would drop the call (an
    /// unknown cio_id, a suppressed identifier).
    pub(crate) fn identify(
        &mut self,
        kind: IdKind<'_>,
        body_id: Option<&str>,
        body_email: Option<&str>,
        attributes: Map<String, Value>,
    ) -> Option<usize> {
        let path_value = (!matches!(kind, IdKind::Cio(_))).then(|| kind.value());
        if [path_value, body_id, body_email]
            .into_iter()
            .flatten()
            .any(|v| self.is_suppressed(v))
        {
            return None;
        }
        let index = match kind {
            IdKind::Cio(_) => self.find(kind)?,
            IdKind::Email(_) | IdKind::Id(_) | IdKind::Phone(_) => {
                let existing = self
                    .find(kind)
                    .or_else(|| body_id.and_then(|id| self.find(IdKind::Id(id))))
                    .or_else(|| body_email.and_then(|email| self.find(IdKind::Email(email))));
                let index = existing.unwrap_or_else(|| self.create_person());
                let person = &mut self.people[index];
                match kind {
                    IdKind::Email(email) => person.email = Some(email.to_string()),
                    IdKind::Id(id) => person.id = Some(id.to_string()),
                    IdKind::Phone(phone) => {
                        person.attributes.insert("phone".into(), phone.into());
                    }
                    IdKind::Cio(_) => {}
                }
                index
            }
        };
        let person = &mut self.people[index];
        if let Some(id) = body_id {
            person.id = Some(id.to_string());
        }
        if let Some(email) = body_email {
            person.email = Some(email.to_string());
        }
        person.attributes.extend(attributes);
        Some(index)
    }

    /// Removes a person with everything that hangs on them (devices, memberships, relationships).
    pub(crate) fn remove_person(&mut self, index: usize) -> Person {
        let person = self.people.remove(index);
        self.devices.remove(&person.cio_id);
        for segment in self.segments.values_mut() {
            segment.members.remove(&person.cio_id);
        }
        let cio = RelPerson::Cio(person.cio_id.clone());
        self.relationships.retain(|r| r.person != cio);
        person
    }

    pub(crate) fn delete(&mut self, kind: IdKind<'_>) {
        if let Some(index) = self.find(kind) {
            self.remove_person(index);
        }
    }

    /// Deletes the person and blocks their id and email (or the given identifier, when nobody has
    /// it) from being identified again.
    pub(crate) fn suppress(&mut self, kind: IdKind<'_>) {
        let mut candidates = Vec::new();
        if let Some(index) = self.find(kind) {
            let person = self.remove_person(index);
            candidates.extend(person.id);
            candidates.extend(person.email);
        }
        if !matches!(kind, IdKind::Cio(_)) {
            candidates.push(kind.value().to_string());
        }
        let mut group: Vec<String> = Vec::new();
        for value in candidates {
            if !self.is_suppressed(&value) && !group.iter().any(|g| same_identifier(g, &value)) {
                group.push(value);
            }
        }
        if !group.is_empty() {
            self.suppressions.push(group);
        }
    }

    /// Frees the suppression that blocked this identifier; the person is not restored.
    pub(crate) fn unsuppress(&mut self, kind: IdKind<'_>) {
        if !matches!(kind, IdKind::Cio(_)) {
            let value = kind.value();
            self.suppressions
                .retain(|group| !group.iter().any(|v| same_identifier(v, value)));
        }
    }

    /// Adds or updates a device (by token) on the person, creating the person as identify would.
    /// A token belongs to one person, so it leaves anyone else who had it.
    pub(crate) fn add_device(&mut self, kind: IdKind<'_>, device: Device) {
        let Some(index) = self.identify(kind, None, None, Map::new()) else {
            return;
        };
        let cio = self.people[index].cio_id.clone();
        for (owner, list) in self.devices.iter_mut() {
            if *owner != cio {
                list.retain(|d| d.id != device.id);
            }
        }
        let list = self.devices.entry(cio).or_default();
        match list.iter_mut().find(|d| d.id == device.id) {
            Some(existing) => {
                existing.platform = device.platform;
                existing.last_used = device.last_used;
                existing.attributes.extend(device.attributes);
            }
            None => list.push(device),
        }
    }

    pub(crate) fn delete_device(&mut self, kind: IdKind<'_>, token: &str) {
        if let Some(index) = self.find(kind) {
            if let Some(list) = self.devices.get_mut(&self.people[index].cio_id) {
                list.retain(|d| d.id != token);
            }
        }
    }

    /// Merges `secondary` into `primary` (which must exist, else nothing happens): attributes the
    /// primary lacks, devices, manual segment memberships, relationships and events move over,
    /// then the secondary is deleted.
    pub(crate) fn merge(&mut self, primary: IdKind<'_>, secondary: IdKind<'_>) {
        let (Some(p), Some(s)) = (self.find(primary), self.find(secondary)) else {
            return;
        };
        if p == s {
            return;
        }
        let from = self.people[s].clone();
        let into = &mut self.people[p];
        for (name, value) in &from.attributes {
            if !matches!(name.as_str(), "id" | "email" | "cio_id") {
                into.attributes
                    .entry(name.clone())
                    .or_insert_with(|| value.clone());
            }
        }
        if into.email.is_none() {
            into.email = from.email.clone();
        }
        let (into_cio, into_label) = (into.cio_id.clone(), into.label());

        let moved = self.devices.remove(&from.cio_id).unwrap_or_default();
        let list = self.devices.entry(into_cio.clone()).or_default();
        for device in moved {
            if !list.iter().any(|d| d.id == device.id) {
                list.push(device);
            }
        }
        for segment in self.segments.values_mut() {
            if segment.members.remove(&from.cio_id) {
                segment.members.insert(into_cio.clone());
            }
        }
        let (from_rel, into_rel) = (
            RelPerson::Cio(from.cio_id.clone()),
            RelPerson::Cio(into_cio),
        );
        let taken: HashSet<(String, String)> = self
            .relationships
            .iter()
            .filter(|r| r.person == into_rel)
            .map(|r| (r.object_type_id.clone(), r.object_id.clone()))
            .collect();
        self.relationships.retain_mut(|r| {
            if r.person != from_rel {
                return true;
            }
            r.person = into_rel.clone();
            !taken.contains(&(r.object_type_id.clone(), r.object_id.clone()))
        });
        for event in &mut self.events {
            if event
                .person
                .as_deref()
                .is_some_and(|label| IdKind::of(label).matches(&from))
            {
                event.person = Some(into_label.clone());
            }
        }
        self.remove_person(s);
    }

    /// Stores an event unless its `id` was seen before (the API ignores duplicates) or it names a
    /// suppressed person (whose data the API drops).
    pub(crate) fn push_event(&mut self, event: StoredEvent) {
        if event
            .person
            .as_deref()
            .is_some_and(|p| self.is_suppressed(p))
        {
            return;
        }
        if let Some(id) = &event.id {
            if !self.event_ids.insert(id.clone()) {
                return;
            }
        }
        self.events.push(event);
    }

    /// The object `sel` names; a missing `Key` object is created when `create` is set.
    pub(crate) fn object(&mut self, sel: ObjectSel<'_>, create: bool) -> Option<usize> {
        let found = self.objects.iter().position(|o| match sel {
            ObjectSel::Key(type_id, id) => o.object_type_id == type_id && o.object_id == id,
            ObjectSel::Cio(cio) => o.cio_object_id == cio,
        });
        match (found, sel) {
            (Some(index), _) => Some(index),
            (None, ObjectSel::Key(type_id, id)) if create => {
                self.next_object += 1;
                self.objects.push(StoredObject {
                    object_type_id: type_id.to_string(),
                    object_id: id.to_string(),
                    cio_object_id: format!("ob{:010x}", self.next_object),
                    attributes: Map::new(),
                });
                Some(self.objects.len() - 1)
            }
            _ => None,
        }
    }

    /// Creates or updates an object; `null` or `""` removes an attribute.
    pub(crate) fn identify_object(&mut self, sel: ObjectSel<'_>, attributes: &Map<String, Value>) {
        let Some(index) = self.object(sel, true) else {
            return;
        };
        let stored = &mut self.objects[index].attributes;
        for (name, value) in attributes {
            if value.is_null() || value.as_str() == Some("") {
                stored.remove(name);
            } else {
                stored.insert(name.clone(), value.clone());
            }
        }
    }

    /// Deletes an object and its relationships.
    pub(crate) fn delete_object(&mut self, sel: ObjectSel<'_>) {
        if let Some(index) = self.object(sel, false) {
            let object = self.objects.remove(index);
            self.relationships.retain(|r| {
                r.object_type_id != object.object_type_id || r.object_id != object.object_id
            });
        }
    }

    /// Adds (creating missing people and `Key` objects, merging attributes of an existing link)
    /// or deletes relationships.
    pub(crate) fn relate(&mut self, links: &[Link<'_>], add: bool) {
        for link in links {
            let person = match link.person {
                PersonSel::Known(kind) => {
                    let index = if add {
                        self.identify(kind, None, None, Map::new())
                    } else {
                        self.find(kind)
                    };
                    match index {
                        Some(index) => RelPerson::Cio(self.people[index].cio_id.clone()),
                        None => continue,
                    }
                }
                PersonSel::Anonymous(id) => RelPerson::Anonymous(id.to_string()),
            };
            let Some(object) = self.object(link.object, add) else {
                continue;
            };
            let object = &self.objects[object];
            let (type_id, id) = (object.object_type_id.clone(), object.object_id.clone());
            let existing = self.relationships.iter().position(|r| {
                r.person == person && r.object_type_id == type_id && r.object_id == id
            });
            match (existing, add) {
                (Some(index), true) => self.relationships[index]
                    .attributes
                    .extend(link.attributes.clone()),
                (None, true) => self.relationships.push(Rel {
                    person,
                    object_type_id: type_id,
                    object_id: id,
                    attributes: link.attributes.clone(),
                }),
                (Some(index), false) => {
                    self.relationships.remove(index);
                }
                (None, false) => {}
            }
        }
    }

    /// Adds people to or removes them from a segment; identifiers nobody has are ignored.
    pub(crate) fn change_segment<'a>(
        &mut self,
        segment_id: u64,
        people: impl Iterator<Item = IdKind<'a>>,
        add: bool,
    ) {
        let cio_ids: Vec<String> = people
            .filter_map(|kind| self.find(kind))
            .map(|index| self.people[index].cio_id.clone())
            .collect();
        if let Some(segment) = self.segments.get_mut(&segment_id) {
            for cio in cio_ids {
                if add {
                    segment.members.insert(cio);
                } else {
                    segment.members.remove(&cio);
                }
            }
        }
    }
}
