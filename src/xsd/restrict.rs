//! Derivation by restriction of content models: Particle Valid (Restriction), cos-particle-restrict
//! (XSD 1.0, 3.9.6), and the overlap of leaf particles used by the UPA check.

use super::model::*;
use super::validate::type_derives;

type Check = Result<(), (&'static str, String)>;

fn fail(rule: &'static str, message: impl Into<String>) -> Check {
    Err((rule, message.into()))
}

/// A particle after removing pointless groups, owned so it can be rewritten.
#[derive(Debug, Clone)]
struct P {
    min: u64,
    max: Option<u64>,
    term: T,
}

#[derive(Debug, Clone)]
enum T {
    Element(ElemId),
    Wildcard(Wildcard),
    Sequence(Vec<P>),
    Choice(Vec<P>),
    All(Vec<P>),
}

fn normalize(c: &Components, p: ParticleId, depth: usize) -> P {
    let part = &c.particles[p];
    let (min, max) = (u64::from(part.min), part.max.map(u64::from));
    let group = |ch: &[ParticleId], same: fn(&T) -> Option<&Vec<P>>| -> Vec<P> {
        let mut out = vec![];
        for &x in ch {
            if depth > 128 {
                break;
            }
            let n = normalize(c, x, depth + 1);
            match (&n, same(&n.term)) {
                (
                    P {
                        min: 1,
                        max: Some(1),
                        ..
                    },
                    Some(inner),
                ) => out.extend(inner.iter().cloned()),
                _ => out.push(n),
            }
        }
        out
    };
    let term = match &part.term {
        Term::Element(e) => T::Element(*e),
        Term::Wildcard(w) => T::Wildcard(w.clone()),
        Term::Sequence(ch) => T::Sequence(group(ch, |t| {
            if let T::Sequence(v) = t {
                Some(v)
            } else {
                None
            }
        })),
        Term::Choice(ch) => T::Choice(group(
            ch,
            |t| if let T::Choice(v) = t { Some(v) } else { None },
        )),
        Term::All(ch) => T::All(group(ch, |_| None)),
    };
    match term {
        T::Sequence(v) | T::Choice(v) | T::All(v) if v.len() == 1 && min == 1 && max == Some(1) => {
            v.into_iter().next().unwrap_or(P {
                min,
                max,
                term: T::Sequence(vec![]),
            })
        }
        term => P { min, max, term },
    }
}

fn mul(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(0), _) | (_, Some(0)) => Some(0),
        (Some(x), Some(y)) => Some(x.saturating_mul(y)),
        _ => None,
    }
}

/// The effective total range (3.8.6) of a particle.
fn total_range(p: &P) -> (u64, Option<u64>) {
    match &p.term {
        T::Element(_) | T::Wildcard(_) => (p.min, p.max),
        T::Sequence(ch) | T::All(ch) => {
            let (mut lo, mut hi) = (0u64, Some(0u64));
            for c in ch {
                let (a, b) = total_range(c);
                lo = lo.saturating_add(a);
                hi = match (hi, b) {
                    (Some(x), Some(y)) => Some(x.saturating_add(y)),
                    _ => None,
                };
            }
            (p.min.saturating_mul(lo), mul(p.max, hi))
        }
        T::Choice(ch) => {
            let ranges: Vec<_> = ch.iter().map(total_range).collect();
            let lo = ranges.iter().map(|r| r.0).min().unwrap_or(0);
            let hi = ranges
                .iter()
                .try_fold(0u64, |acc, r| r.1.map(|m| acc.max(m)));
            (p.min.saturating_mul(lo), mul(p.max, hi))
        }
    }
}

fn emptiable(p: &P) -> bool {
    total_range(p).0 == 0
}

fn range_ok(dmin: u64, dmax: Option<u64>, bmin: u64, bmax: Option<u64>) -> bool {
    dmin >= bmin
        && match (dmax, bmax) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(d), Some(b)) => d <= b,
        }
}

/// derivation-ok-restriction.5: the content type of a restriction against its base's.
pub fn check_content_restriction(c: &Components, nullable: &[bool], t: TypeId) -> Check {
    let Some(ct) = c.complex(t) else {
        return Ok(());
    };
    if ct.base == c.any_type {
        return Ok(());
    }
    let Some(base) = c.complex(ct.base) else {
        return Ok(());
    };
    match (&ct.content, &base.content) {
        (ContentType::Empty, ContentType::Empty) => Ok(()),
        (ContentType::Empty, ContentType::Elements { particle, .. }) => {
            if nullable[*particle] {
                Ok(())
            } else {
                fail(
                    "derivation-ok-restriction.5.2",
                    "empty content restricts only emptiable content",
                )
            }
        }
        (ContentType::Simple(_), ContentType::Simple(_)) => Ok(()),
        (
            ContentType::Simple(_),
            ContentType::Elements {
                particle,
                mixed: true,
            },
        ) if nullable[*particle] => Ok(()),
        (
            ContentType::Elements {
                particle: dp,
                mixed: dm,
            },
            ContentType::Elements {
                particle: bp,
                mixed: bm,
            },
        ) => {
            if *dm && !*bm {
                return fail(
                    "derivation-ok-restriction.5.3",
                    "a mixed type cannot restrict an element-only type",
                );
            }
            let d = normalize(c, *dp, 0);
            let b = normalize(c, *bp, 0);
            particle_ok(c, &d, &b, 0)
        }
        (ContentType::Elements { particle, .. }, ContentType::Empty) if nullable[*particle] => {
            // an emptiable particle restricting empty content: only if it can match nothing at all
            if total_range(&normalize(c, *particle, 0)).1 == Some(0) {
                Ok(())
            } else {
                fail(
                    "derivation-ok-restriction.5.2",
                    "element content cannot restrict empty content",
                )
            }
        }
        _ => fail(
            "derivation-ok-restriction.5",
            "the content type is not a restriction of the base's content type",
        ),
    }
}

fn substitution_choice(c: &Components, b: &P) -> Option<P> {
    let T::Element(e) = b.term else { return None };
    let members = c.substitutes.get(&e)?;
    let mut ch = vec![P {
        min: 1,
        max: Some(1),
        term: T::Element(e),
    }];
    ch.extend(members.iter().map(|&m| P {
        min: 1,
        max: Some(1),
        term: T::Element(m),
    }));
    Some(P {
        min: b.min,
        max: b.max,
        term: T::Choice(ch),
    })
}

fn particle_ok(c: &Components, d: &P, b: &P, depth: usize) -> Check {
    if depth > 64 {
        return Ok(());
    }
    if let Some(choice) = substitution_choice(c, b)
        && !matches!(d.term, T::Element(de) if matches!(b.term, T::Element(be) if be == de))
    {
        return particle_ok(c, d, &choice, depth + 1);
    }
    match (&d.term, &b.term) {
        (T::Element(de), T::Element(be)) => name_and_type_ok(c, d, *de, b, *be),
        (T::Element(de), T::Wildcard(w)) => {
            if !w.allows(c.elements[*de].name.ns.as_deref()) {
                return fail(
                    "rcase-NSCompat.1",
                    format!(
                        "element {} is not allowed by the base wildcard",
                        c.elements[*de].name
                    ),
                );
            }
            if !range_ok(d.min, d.max, b.min, b.max) {
                return fail(
                    "rcase-NSCompat.2",
                    format!(
                        "occurrence range of {} is not within the wildcard's",
                        c.elements[*de].name
                    ),
                );
            }
            Ok(())
        }
        (T::Element(_), T::Sequence(_) | T::Choice(_) | T::All(_)) => {
            let wrapped = P {
                min: 1,
                max: Some(1),
                term: match &b.term {
                    T::Sequence(_) => T::Sequence(vec![d.clone()]),
                    T::Choice(_) => T::Choice(vec![d.clone()]),
                    _ => T::All(vec![d.clone()]),
                },
            };
            particle_ok(c, &wrapped, b, depth + 1)
        }
        (T::Wildcard(dw), T::Wildcard(bw)) => {
            if !range_ok(d.min, d.max, b.min, b.max) {
                return fail(
                    "rcase-NSSubset.1",
                    "the wildcard's occurrence range is not within the base wildcard's",
                );
            }
            if !dw.ns.is_subset_of(&bw.ns) {
                return fail(
                    "rcase-NSSubset.2",
                    "the wildcard's namespaces are not a subset of the base wildcard's",
                );
            }
            let rank = |p: ProcessContents| match p {
                ProcessContents::Skip => 0,
                ProcessContents::Lax => 1,
                ProcessContents::Strict => 2,
            };
            if rank(dw.process) < rank(bw.process) {
                return fail(
                    "rcase-NSSubset.3",
                    "the wildcard's processContents is weaker than the base's",
                );
            }
            Ok(())
        }
        (T::Sequence(ch) | T::Choice(ch) | T::All(ch), T::Wildcard(_)) => {
            let (lo, hi) = total_range(d);
            if !range_ok(lo, hi, b.min, b.max) {
                return fail(
                    "rcase-NSRecurseCheckCardinality.2",
                    "the group's occurrence range is not within the wildcard's",
                );
            }
            let open = P {
                min: 0,
                max: None,
                term: b.term.clone(),
            };
            for x in ch {
                particle_ok(c, x, &open, depth + 1)?;
            }
            Ok(())
        }
        (T::Wildcard(_), _) => fail(
            "cos-particle-restrict.2",
            "a wildcard cannot restrict an element or a group",
        ),
        (T::All(dc), T::All(bc)) | (T::Sequence(dc), T::Sequence(bc)) => {
            if !range_ok(d.min, d.max, b.min, b.max) {
                return fail(
                    "rcase-Recurse.1",
                    "the group's occurrence range is not within the base group's",
                );
            }
            recurse_ordered(c, dc, bc, true, depth)
        }
        (T::Choice(dc), T::Choice(bc)) => {
            if !range_ok(d.min, d.max, b.min, b.max) {
                return fail(
                    "rcase-RecurseLax.1",
                    "the choice's occurrence range is not within the base choice's",
                );
            }
            recurse_ordered(c, dc, bc, false, depth)
        }
        (T::Sequence(dc), T::All(bc)) => {
            if !range_ok(d.min, d.max, b.min, b.max) {
                return fail(
                    "rcase-RecurseUnordered.1",
                    "the sequence's occurrence range is not within the all group's",
                );
            }
            let mut used = vec![false; bc.len()];
            'next: for x in dc {
                for (j, y) in bc.iter().enumerate() {
                    if !used[j] && particle_ok(c, x, y, depth + 1).is_ok() {
                        used[j] = true;
                        continue 'next;
                    }
                }
                return fail(
                    "rcase-RecurseUnordered.2",
                    "a particle of the sequence matches no particle of the base all group",
                );
            }
            if bc.iter().zip(&used).any(|(y, u)| !u && !emptiable(y)) {
                return fail(
                    "rcase-RecurseUnordered.2.3",
                    "a required particle of the base all group is missing",
                );
            }
            Ok(())
        }
        (T::Sequence(dc), T::Choice(bc)) => {
            let n = dc.len() as u64;
            let (lo, hi) = (d.min.saturating_mul(n), mul(d.max, Some(n)));
            if !range_ok(lo, hi, b.min, b.max) {
                return fail(
                    "rcase-MapAndSum.2",
                    "the sequence's occurrence range is not within the base choice's",
                );
            }
            for x in dc {
                if !bc.iter().any(|y| particle_ok(c, x, y, depth + 1).is_ok()) {
                    return fail(
                        "rcase-MapAndSum.1",
                        "a particle of the sequence matches no particle of the base choice",
                    );
                }
            }
            Ok(())
        }
        _ => fail(
            "cos-particle-restrict.2",
            "this kind of group cannot restrict the base group",
        ),
    }
}

/// Order-preserving mapping of derived particles onto base particles (Recurse, RecurseLax).
fn recurse_ordered(
    c: &Components,
    dc: &[P],
    bc: &[P],
    skipped_must_be_emptiable: bool,
    depth: usize,
) -> Check {
    let mut j = 0;
    for x in dc {
        let mut matched = false;
        let mut last_error = None;
        while j < bc.len() {
            let y = &bc[j];
            j += 1;
            match particle_ok(c, x, y, depth + 1) {
                Ok(()) => {
                    matched = true;
                    break;
                }
                Err(e) => {
                    if skipped_must_be_emptiable && !emptiable(y) {
                        return Err(e);
                    }
                    last_error = Some(e);
                }
            }
        }
        if !matched {
            return Err(last_error.unwrap_or((
                "rcase-Recurse.2",
                "a particle of the restriction has no counterpart in the base".to_owned(),
            )));
        }
    }
    if skipped_must_be_emptiable && bc[j..].iter().any(|y| !emptiable(y)) {
        return fail(
            "rcase-Recurse.2.2",
            "a required particle of the base is missing from the restriction",
        );
    }
    Ok(())
}

fn name_and_type_ok(c: &Components, d: &P, de: ElemId, b: &P, be: ElemId) -> Check {
    let (dd, bd) = (&c.elements[de], &c.elements[be]);
    if dd.name != bd.name {
        return fail(
            "rcase-NameAndTypeOK.1",
            format!(
                "element {} does not match base element {}",
                dd.name, bd.name
            ),
        );
    }
    if !range_ok(d.min, d.max, b.min, b.max) {
        return fail(
            "rcase-NameAndTypeOK.2",
            format!("occurrence range of {} is not within the base's", dd.name),
        );
    }
    if dd.nillable && !bd.nillable {
        return fail(
            "rcase-NameAndTypeOK.3",
            format!("{} is nillable but the base element is not", dd.name),
        );
    }
    if let Some(bv) = bd.value.as_ref().filter(|v| v.fixed) {
        let same = dd.value.as_ref().is_some_and(|dv| {
            dv.fixed
                && match (&dv.value, &bv.value) {
                    (Some(x), Some(y)) => super::simple::same_value(x, y),
                    _ => dv.lexical == bv.lexical,
                }
        });
        if !same {
            return fail(
                "rcase-NameAndTypeOK.4",
                format!("{} must keep the base's fixed value", dd.name),
            );
        }
    }
    if !dd
        .idcs
        .iter()
        .all(|i| bd.idcs.iter().any(|j| c.idcs[*j].name == c.idcs[*i].name))
    {
        return fail(
            "rcase-NameAndTypeOK.5",
            format!(
                "identity constraints of {} are not a subset of the base's",
                dd.name
            ),
        );
    }
    let blocks = |x: &DerivationSet| (x.extension, x.restriction, x.substitution);
    let (bx, br, bs) = blocks(&bd.block);
    let (dx, dr, ds) = blocks(&dd.block);
    if (bx && !dx) || (br && !dr) || (bs && !ds) {
        return fail(
            "rcase-NameAndTypeOK.6",
            format!(
                "{} blocks fewer substitutions than the base element",
                dd.name
            ),
        );
    }
    let no_extension = DerivationSet {
        extension: true,
        list: true,
        union: true,
        ..Default::default()
    };
    if dd.type_id != bd.type_id && !type_derives(c, dd.type_id, bd.type_id, no_extension) {
        return fail(
            "rcase-NameAndTypeOK.7",
            format!(
                "the type of {} is not a restriction of the base element's type",
                dd.name
            ),
        );
    }
    Ok(())
}

/// True when two leaf particles (elements or wildcards) can match the same element name.
pub fn leaves_overlap(c: &Components, a: ParticleId, b: ParticleId) -> bool {
    let names = |e: ElemId| -> Vec<&QName> {
        let mut v = vec![&c.elements[e].name];
        if let Some(members) = c.substitutes.get(&e) {
            v.extend(members.iter().map(|m| &c.elements[*m].name));
        }
        v
    };
    match (&c.particles[a].term, &c.particles[b].term) {
        (Term::Element(x), Term::Element(y)) => {
            let ny = names(*y);
            names(*x).iter().any(|n| ny.contains(n))
        }
        (Term::Element(x), Term::Wildcard(w)) | (Term::Wildcard(w), Term::Element(x)) => {
            names(*x).iter().any(|n| w.allows(n.ns.as_deref()))
        }
        (Term::Wildcard(w1), Term::Wildcard(w2)) => match w1.ns.intersection(&w2.ns) {
            Some(NsConstraint::Set(s)) => !s.is_empty(),
            _ => true,
        },
        _ => false,
    }
}
