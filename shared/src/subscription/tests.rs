use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::Raw;

fn event(params: &str) -> Option<(String, String)> {
    let (id, event) = read_event(Raw::new(params).ok()?)?;
    Some((id.get().into(), alloc::format!("{event:?}")))
}

#[test]
fn the_server_messages_read_back_as_what_they_say() {
    let head = Head::new("ticks", r#""s1""#);
    let params = |text: String| {
        let start = text.find(r#""params":"#).unwrap() + 9;
        text[start..text.len() - 1].to_owned()
    };
    let item = params(head.item(7, "e\"1", r#"{"n":[1,2]}"#));
    let (id, Event::Item { result, seq, epoch }) = read_event(Raw::new(&item).unwrap()).unwrap()
    else {
        panic!("{item}");
    };
    assert_eq!(id.get(), r#""s1""#);
    assert_eq!(result.get(), r#"{"n":[1,2]}"#);
    assert_eq!(seq, Some(7));
    assert_eq!(epoch.map(Raw::get), Some(r#""e\"1""#));

    let gap = params(head.gap(9, "e", Some(2)));
    let (_, Event::Gap { missed, seq, .. }) = read_event(Raw::new(&gap).unwrap()).unwrap() else {
        panic!("{gap}");
    };
    assert_eq!((missed, seq), (Some(2), 9));
    let lost = params(head.gap(1, "f", None));
    assert!(matches!(
        read_event(Raw::new(&lost).unwrap()),
        Some((
            _,
            Event::Gap {
                missed: None,
                seq: 1,
                ..
            }
        ))
    ));

    let done = params(head.end(None));
    assert!(matches!(
        read_event(Raw::new(&done).unwrap()),
        Some((_, Event::End(Ok(()))))
    ));
    let error = crate::ErrorObject::new(-32000, "too slow");
    let failed = params(head.end(Some(&error)));
    assert_eq!(
        read_event(Raw::new(&failed).unwrap()).map(|(_, e)| e),
        Some(Event::End(Err(error)))
    );
}

#[test]
fn other_servers_items_and_plain_notifications() {
    // jsonrpsee's items (numeric ids too) have no seq and no epoch.
    assert_eq!(
        event(r#"{"subscription":12,"result":"x"}"#).map(|(id, _)| id),
        Some("12".into())
    );
    // Not subscription messages: handled as notifications.
    for params in [
        r#"[1,2]"#,
        r#"{"result":1}"#,
        r#"{"subscription":"a"}"#,
        r#"{"subscription":true,"result":1}"#,
        r#"{"subscription":"a","gap":{"missed":1}}"#,
    ] {
        assert_eq!(event(params), None, "{params}");
    }
}

#[test]
fn a_resume_member_reads_back() {
    let member = resume_member(r#""ep""#, 41);
    let value = &member[r#""resume":"#.len()..];
    assert_eq!(
        Resume::read(value),
        Some(Resume {
            epoch: "ep".into(),
            seq: 41
        })
    );
    for bad in [
        r#"{"epoch":1,"seq":1}"#,
        r#"{"epoch":"e","seq":-1}"#,
        r#"{"epoch":"e","seq":1.5}"#,
        "[]",
    ] {
        assert_eq!(Resume::read(bad), None, "{bad}");
    }
}

#[test]
fn history_bounds_by_count_and_age_and_reports_gaps_exactly() {
    let retention = Retention {
        max_items: 3,
        max_age_ms: 100,
    };
    let mut h = History::new("e".into(), retention);
    for (at, item) in [(0, "a"), (10, "b"), (20, "c"), (30, "d")] {
        h.push(item, at);
    }
    // Count: "a" (1) is gone.
    assert_eq!(
        h.catch_up("e", 2, 30),
        CatchUp {
            missed: Some(0),
            items: vec![(3, "c"), (4, "d")]
        }
    );
    assert_eq!(h.catch_up("e", 0, 30).missed, Some(1));
    // Up to date: nothing. A number this stream never gave: unknown.
    assert_eq!(h.catch_up("e", 4, 30).items, Vec::<(u64, &str)>::new());
    assert_eq!(h.catch_up("e", 4, 30).missed, Some(0));
    assert_eq!(h.catch_up("e", 5, 30).missed, None);
    // Age: at 125 only "d" (30) is younger than 100 ms.
    let c = h.catch_up("e", 1, 125);
    assert_eq!((c.missed, c.items), (Some(2), vec![(4, "d")]));
    // Everything gone: the gap runs to the next number.
    let c = h.catch_up("e", 1, 1000);
    assert_eq!((c.missed, c.items.len()), (Some(3), 0));
    assert_eq!(h.next_seq(), 5);
}

#[test]
fn a_queue_is_bounded_under_every_policy() {
    let mut wait = Queue::new(2, Overflow::Wait);
    assert_eq!(wait.offer(1, 'a'), Offered::Queued);
    assert_eq!(wait.offer(2, 'b'), Offered::Queued);
    assert_eq!(wait.offer(3, 'c'), Offered::Full('c'));
    assert_eq!(wait.take(), Some(Next::Item(1, 'a')));
    assert!(wait.has_room());
    assert_eq!(wait.offer(3, 'c'), Offered::Queued);

    let mut end = Queue::new(1, Overflow::End);
    assert_eq!(end.offer(1, ()), Offered::Queued);
    assert_eq!(end.offer(2, ()), Offered::Ended);
    assert_eq!(end.len(), 1);

    // Catch-up items go beyond the capacity and are never the ones dropped.
    let mut caught = Queue::new(1, Overflow::DropOldest);
    caught.push_over(1, 'a');
    caught.push_over(2, 'b');
    assert!(caught.has_room());
    assert_eq!(caught.offer(3, 'c'), Offered::Queued);
    assert_eq!(caught.offer(4, 'd'), Offered::Queued);
    let all: Vec<_> = core::iter::from_fn(|| caught.take()).collect();
    assert_eq!(
        all,
        vec![
            Next::Item(1, 'a'),
            Next::Item(2, 'b'),
            Next::Gap { missed: 1, seq: 4 },
            Next::Item(4, 'd')
        ]
    );
    let mut ending = Queue::new(1, Overflow::End);
    ending.push_over(1, ());
    assert_eq!(ending.offer(2, ()), Offered::Queued);

    let mut drop = Queue::new(3, Overflow::DropOldest);
    for seq in 1..=1000 {
        assert_eq!(drop.offer(seq, seq), Offered::Queued);
        assert!(drop.len() <= 3);
    }
    assert_eq!(
        drop.take(),
        Some(Next::Gap {
            missed: 997,
            seq: 998
        })
    );
    let rest: Vec<_> = core::iter::from_fn(|| drop.take()).collect();
    assert_eq!(
        rest,
        vec![
            Next::Item(998, 998),
            Next::Item(999, 999),
            Next::Item(1000, 1000)
        ]
    );
    assert!(drop.is_empty());
}

#[test]
fn the_book_routes_by_id_and_reports_skips_epoch_changes_and_repeats() {
    let mut book = Book::default();
    let a = book.open();
    let b = book.open();
    book.bind(a, r#""a""#);
    book.bind(b, "7");
    let mut got: Vec<(u64, String)> = Vec::new();
    let mut read = |book: &mut Book, params: &str| {
        book.read(Raw::new(params).unwrap(), |key, d| {
            got.push((key, alloc::format!("{d:?}")))
        })
    };
    assert!(read(
        &mut book,
        r#"{"subscription":"a","seq":1,"epoch":"e","result":1}"#
    ));
    assert!(read(&mut book, r#"{"subscription":7,"result":"x"}"#));
    // A repeat (an overlapping resume) is dropped; a skip is a gap.
    assert!(read(
        &mut book,
        r#"{"subscription":"a","seq":1,"epoch":"e","result":1}"#
    ));
    assert!(read(
        &mut book,
        r#"{"subscription":"a","seq":3,"epoch":"e","result":3}"#
    ));
    // Another epoch: a gap of unknown size.
    assert!(read(
        &mut book,
        r#"{"subscription":"a","seq":1,"epoch":"f","result":9}"#
    ));
    // Not ours: not read.
    assert!(!read(&mut book, r#"{"subscription":"zz","result":1}"#));
    assert!(!read(&mut book, r#"{"x":1}"#));
    // The end closes it; its id routes nothing after.
    assert!(read(&mut book, r#"{"subscription":"a","error":null}"#));
    assert!(!read(
        &mut book,
        r#"{"subscription":"a","seq":2,"epoch":"f","result":2}"#
    ));
    let got: Vec<String> = got
        .into_iter()
        .map(|(k, d)| alloc::format!("{k}:{d}"))
        .collect();
    assert_eq!(
        got,
        [
            r#"1:Item(1, Some((1, "e")))"#,
            r#"2:Item("x", None)"#,
            "1:Gap(Some(1))",
            r#"1:Item(3, Some((3, "e")))"#,
            "1:Gap(None)",
            r#"1:Item(9, Some((1, "f")))"#,
            "1:End(Ok(()))",
        ]
    );
    // After a disconnect the ids mean nothing; the positions stay.
    book.disconnected();
    assert!(!book.is_listening());
    assert!(
        book.resume_member(b).is_none(),
        "no position from a plain server"
    );
}
