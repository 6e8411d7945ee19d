//! The model: what the engine must do.

use super::*;

pub(super) struct Req {
    /// The id's exact text.
    pub(super) id: String,
    pub(super) batch: Option<usize>,
    pub(super) alive: bool,
    /// The engine's token for it, once the engine asked to run it.
    pub(super) token: Option<CallToken>,
}

pub(super) struct Batch {
    /// 1 while its elements are read, plus its requests still running.
    pub(super) waiting: usize,
    pub(super) answers: Vec<Resp>,
    pub(super) done: bool,
}

pub(super) struct Model {
    pub(super) config: Config,
    /// Every request run so far, in order (the index is its ordinal).
    pub(super) reqs: Vec<Req>,
    pub(super) batches: Vec<Batch>,
    pub(super) refusal: bool,
    /// This side's calls still pending.
    pub(super) pending: Vec<u64>,
    /// Which request a cancel reaches under each id (see `Model::cancel`).
    pub(super) index: Option<HashMap<String, usize>>,
}

/// What one frame must make the engine do, by kind, each in order.
#[derive(Debug, Default)]
pub(super) struct Expected<'a> {
    /// Method, params text, and the request's ordinal (`None`: a notification).
    pub(super) calls: Vec<(String, Option<&'a str>, Option<usize>)>,
    pub(super) settles: Vec<(u64, Want<'a>)>,
    /// Ordinals of the requests aborted.
    pub(super) aborts: Vec<usize>,
    pub(super) replies: Vec<Sent>,
}

impl Model {
    /// A batch longer than the engine accepts (`with_max_batch_len` makes 0 into 1).
    pub(super) fn too_long(&self, msgs: &[Msg<'_>]) -> bool {
        msgs.len() > self.config.max_batch_len.max(1)
    }

    pub(super) fn new(config: Config) -> Self {
        Model {
            config,
            reqs: Vec::new(),
            batches: Vec::new(),
            refusal: false,
            pending: Vec::new(),
            index: None,
        }
    }

    pub(super) fn in_flight(&self) -> usize {
        self.reqs.iter().filter(|r| r.alive).count()
    }

    pub(super) fn frame<'a>(&mut self, frame: &Frame<'a>, want: &mut Expected<'a>) {
        let null = |body| want_one("null", body);
        match frame {
            Frame::NotJson => want.replies.push(null(error(-32700, "Parse error"))),
            Frame::Empty => want.replies.push(null(invalid_request())),
            Frame::Batch(msgs) if self.too_long(msgs) => want.replies.push(null(error(
                -32600,
                format!(
                    "Invalid Request: a batch may hold at most {} messages, this one holds {}",
                    self.config.max_batch_len,
                    msgs.len()
                ),
            ))),
            Frame::Single(msg) => {
                let mut out = Vec::new();
                self.item(msg, None, &mut out, want);
                assert!(out.len() <= 1);
                want.replies.extend(out.pop().map(Sent::One));
            }
            Frame::Batch(msgs) => {
                let b = self.batches.len();
                self.batches.push(Batch {
                    waiting: 1,
                    answers: Vec::new(),
                    done: false,
                });
                for msg in msgs {
                    let mut out = Vec::new();
                    self.item(msg, Some(b), &mut out, want);
                    self.batches[b].answers.extend(out);
                }
                self.batches[b].waiting -= 1;
                want.replies.extend(self.finish_batch(b));
            }
        }
    }

    /// The engine's message handling, in order: a `$/cancelRequest` (run
    /// even when refusing), the refusal, an unknown method (-32601), the
    /// in-flight limit (-32000), and the call. Notifications get no answer.
    pub(super) fn item<'a>(
        &mut self,
        msg: &Msg<'a>,
        batch: Option<usize>,
        out: &mut Vec<Resp>,
        want: &mut Expected<'a>,
    ) {
        match msg {
            Msg::Invalid(id) => out.push(resp(id, invalid_request())),
            Msg::Ignored => {}
            Msg::Response { id, outcome } => {
                if let Some(own) = own_id(id) {
                    want.settles.push((own, outcome.clone()));
                }
            }
            Msg::Call { method, params, id } if method == "$/cancelRequest" => {
                self.cancel(*params, want);
                if let Some(id) = id {
                    out.push(resp(id, Body::Result("null".to_owned())));
                }
            }
            Msg::Call { id, .. } if self.refusal => {
                if let Some(id) = id {
                    out.push(resp(id, error(REFUSAL_CODE, REFUSAL_MESSAGE)));
                }
            }
            Msg::Call { method, id, .. } if !METHODS.contains(&method.as_str()) => {
                if let Some(id) = id {
                    out.push(resp(id, error(-32601, "Method not found")));
                }
            }
            Msg::Call { method, params, id } => match id {
                None => want.calls.push((method.clone(), *params, None)),
                Some(id) if self.in_flight() >= self.config.max_in_flight => out.push(resp(
                    id,
                    error(
                        -32000,
                        format!(
                            "Server busy: more than {} calls in flight on this connection",
                            self.config.max_in_flight
                        ),
                    ),
                )),
                Some(id) => {
                    let ordinal = self.reqs.len();
                    self.reqs.push(Req {
                        id: (*id).to_owned(),
                        batch,
                        alive: true,
                        token: None,
                    });
                    if let Some(b) = batch {
                        self.batches[b].waiting += 1;
                    }
                    if let Some(index) = &mut self.index {
                        index.insert((*id).to_owned(), ordinal);
                    }
                    want.calls.push((method.clone(), *params, Some(ordinal)));
                }
            },
        }
    }

    /// A cancel reaches the request in flight under the id (byte for byte);
    /// of two in flight under one id, the later (the engine's documented
    /// rule). It is answered -32800 and its handler aborted; a cancel that
    /// reaches nothing is ignored.
    ///
    /// Which request that is follows the engine's index, built at the first
    /// cancel: the latest request under each id in flight then, or
    /// registered since; it forgets an id when that request is answered.
    /// So once the later of two requests under one id is answered, the
    /// earlier one (still in flight) can no longer be cancelled. Reported
    /// as a gap, not fixed: `by_id` would have to keep every token of an id.
    pub(super) fn cancel<'a>(&mut self, params: Option<&'a str>, want: &mut Expected<'a>) {
        let Some(target) = params.and_then(cancel_target) else {
            return;
        };
        let reqs = &self.reqs;
        let index = self.index.get_or_insert_with(|| {
            let mut index = HashMap::new();
            // In order, so the later of two under one id wins.
            for (ordinal, r) in reqs.iter().enumerate().filter(|(_, r)| r.alive) {
                index.insert(r.id.clone(), ordinal);
            }
            index
        });
        let Some(&ordinal) = index.get(target) else {
            return;
        };
        want.replies
            .extend(self.complete(ordinal, error(-32800, "Request cancelled")));
        want.aborts.push(ordinal);
    }

    /// The answer of request `ordinal`: sent alone, or into its batch reply,
    /// which goes out with its last answer.
    pub(super) fn complete(&mut self, ordinal: usize, body: Body) -> Option<Sent> {
        let req = &mut self.reqs[ordinal];
        assert!(req.alive, "model: completed twice");
        req.alive = false;
        if let Some(index) = &mut self.index {
            if index.get(&req.id) == Some(&ordinal) {
                index.remove(&req.id);
            }
        }
        let answer = resp(&req.id, body);
        let Some(b) = req.batch else {
            return Some(Sent::One(answer));
        };
        self.batches[b].answers.push(answer);
        self.batches[b].waiting -= 1;
        self.finish_batch(b)
    }

    /// A batch reply once nothing in it is waiting; none for a batch of
    /// notifications (and responses).
    pub(super) fn finish_batch(&mut self, b: usize) -> Option<Sent> {
        let batch = &mut self.batches[b];
        if batch.waiting > 0 || batch.done {
            return None;
        }
        batch.done = true;
        let mut answers = std::mem::take(&mut batch.answers);
        answers.sort();
        (!answers.is_empty()).then_some(Sent::Batch(answers))
    }

    /// A frame over the size limit: -32001 to a request (under its id), to
    /// invalid JSON, an empty or over-long batch, or a batch holding a
    /// request or an invalid message (once, id `null`); its responses settle
    /// with -32001; nothing runs.
    pub(super) fn refuse<'a>(&self, frame: &Frame<'a>, len: usize, want: &mut Expected<'a>) {
        let message = format!(
            "Message too large: {len} bytes, the limit is {} bytes",
            self.config.max_message_size
        );
        let settle = |msg: &Msg<'a>, want: &mut Expected<'a>| {
            if let Msg::Response { id, .. } = msg {
                if let Some(own) = own_id(id) {
                    let outcome = Want::Err {
                        code: -32001,
                        message: message.clone(),
                        data: None,
                    };
                    want.settles.push((own, outcome));
                }
            }
        };
        let answer = match frame {
            Frame::NotJson | Frame::Empty => Some("null"),
            Frame::Batch(msgs) if self.too_long(msgs) => Some("null"),
            Frame::Single(Msg::Call { id: Some(id), .. } | Msg::Invalid(id)) => Some(*id),
            Frame::Single(msg) => {
                settle(msg, want);
                None
            }
            Frame::Batch(msgs) => {
                msgs.iter().for_each(|m| settle(m, want));
                msgs.iter()
                    .any(|m| matches!(m, Msg::Call { id: Some(_), .. } | Msg::Invalid(_)))
                    .then_some("null")
            }
        };
        if let Some(id) = answer {
            want.replies
                .push(want_one(id, error(-32001, message.clone())));
        }
    }
}

pub(super) fn want_one(id: &str, body: Body) -> Sent {
    Sent::One(resp(id, body))
}

pub(super) fn invalid_request() -> Body {
    error(-32600, "Invalid Request")
}

/// What the handler of request `ordinal` answers (to the engine), and the
/// body its response must have.
pub(super) fn outcome_for(ordinal: usize) -> (HandlerResult, Body) {
    match ordinal % 3 {
        0 => {
            let text = ordinal.to_string();
            (Ok(RawBuf::from_trusted(text.clone())), Body::Result(text))
        }
        1 => {
            let raw = RawBuf::string(&format!("r{ordinal} \"q\"\n\u{1}é"));
            let text = raw.get().to_owned();
            (Ok(raw), Body::Result(text))
        }
        _ => {
            let code = -(ordinal as i64) - 1;
            let message = format!("failed \"{ordinal}\"");
            let data = format!("[{ordinal}]");
            let error = ErrorObject::new(code, message.clone())
                .with_data_raw(RawBuf::from_trusted(data.clone()));
            let body = Body::Error {
                code,
                message,
                data: Some(data),
            };
            (Err(error), body)
        }
    }
}
