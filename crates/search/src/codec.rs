//! A compact binary form of [`Schedule`] for the index's `schedule` fast
//! field: what "open at" needs (slots, closed days), nothing for display.
//! Identical schedules share one dictionary entry in the column, so the
//! decoded forms are cached per entry.

use tsunagi_domain::schedule::{ClosedDays, DateSpan, Schedule, Slot, SlotKind};
use tsunagi_domain::{Days, Time};

pub fn encode(s: &Schedule) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + s.slots.len() * 6);
    let slots: Vec<&Slot> = s.slots.iter().take(255).collect();
    out.push(slots.len() as u8);
    for slot in slots {
        out.push(slot.days.bits());
        out.push(match slot.kind {
            SlotKind::Open => 0,
            SlotKind::Reception => 1,
        });
        out.extend(slot.open.minutes().to_le_bytes());
        out.extend(slot.close.minutes().to_le_bytes());
    }
    let c = &s.closed;
    out.push(c.weekly.bits());
    out.extend(c.nth_week.iter().map(|d| d.bits()));
    out.push(match c.holidays {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    });
    let dates: Vec<&DateSpan> = c.dates.iter().take(255).collect();
    out.push(dates.len() as u8);
    for d in dates {
        out.extend([d.from.0, d.from.1, d.to.0, d.to.1]);
    }
    out
}

pub fn decode(b: &[u8]) -> Option<Schedule> {
    let mut it = b.iter().copied();
    let mut next = || it.next();
    let mut s = Schedule::default();
    let n = next()?;
    for _ in 0..n {
        let days = days(next()?);
        let kind = if next()? == 1 { SlotKind::Reception } else { SlotKind::Open };
        let open = Time::from_minutes(u16::from_le_bytes([next()?, next()?]))?;
        let close = Time::from_minutes(u16::from_le_bytes([next()?, next()?]))?;
        s.slots.push(Slot { days, open, close, kind, label: None });
    }
    let mut closed = ClosedDays { weekly: days(next()?), ..ClosedDays::default() };
    for d in closed.nth_week.iter_mut() {
        *d = days(next()?);
    }
    closed.holidays = match next()? {
        1 => Some(true),
        2 => Some(false),
        _ => None,
    };
    for _ in 0..next()? {
        closed.dates.push(DateSpan { from: (next()?, next()?), to: (next()?, next()?) });
    }
    s.closed = closed;
    Some(s)
}

fn days(bits: u8) -> Days {
    Days::of(&tsunagi_domain::Day::ALL.into_iter().filter(|d| bits & (1 << *d as u8) != 0).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagi_domain::schedule::{parse_closed_dates, parse_days, parse_time};

    #[test]
    fn round_trip() {
        let mut s = Schedule::default();
        s.add_slot(Slot {
            days: parse_days("月火水金土").unwrap(),
            open: parse_time("9:00").unwrap(),
            close: parse_time("翌1:30").unwrap(),
            kind: SlotKind::Open,
            label: None,
        });
        s.add_slot(Slot {
            days: parse_days("祝").unwrap(),
            open: parse_time("8:00").unwrap(),
            close: parse_time("12:00").unwrap(),
            kind: SlotKind::Reception,
            label: None,
        });
        s.closed.weekly = parse_days("日").unwrap();
        s.closed.nth_week[1] = parse_days("土").unwrap();
        s.closed.holidays = Some(true);
        s.closed.dates = parse_closed_dates("年末年始、8月15日");
        assert_eq!(decode(&encode(&s)), Some(s));
        assert_eq!(decode(&encode(&Schedule::default())), Some(Schedule::default()));
        assert_eq!(decode(&[3, 1]), None);
    }
}
