//! Just enough FlatBuffers reading for the fields the harness checks (tables, scalars,
//! strings, unions), with the vtable slots taken from the mediasoup .fbs schemas.
//! Out-of-range offsets panic: the harness treats them as a failed test.

#[derive(Copy, Clone)]
pub struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn u16_at(buf: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(buf[at..at + 2].try_into().unwrap())
}

fn u32_at(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(buf[at..at + 4].try_into().unwrap())
}

impl<'a> Table<'a> {
    /// The root table of a finished (not size-prefixed) buffer.
    pub fn root(buf: &'a [u8]) -> Table<'a> {
        Table { buf, pos: u32_at(buf, 0) as usize }
    }

    /// Where field number `slot` (declaration order, union = two slots) is stored, if present.
    fn field(&self, slot: usize) -> Option<usize> {
        let soffset = i32::from_le_bytes(self.buf[self.pos..self.pos + 4].try_into().unwrap());
        let vtable = (self.pos as i64 - soffset as i64) as usize;
        let vtable_len = u16_at(self.buf, vtable) as usize;
        let entry = 4 + 2 * slot;
        if entry + 2 > vtable_len {
            return None;
        }
        match u16_at(self.buf, vtable + entry) {
            0 => None,
            off => Some(self.pos + off as usize),
        }
    }

    pub fn u8(&self, slot: usize, default: u8) -> u8 {
        self.field(slot).map_or(default, |at| self.buf[at])
    }

    pub fn u16(&self, slot: usize, default: u16) -> u16 {
        self.field(slot).map_or(default, |at| u16_at(self.buf, at))
    }

    pub fn u32(&self, slot: usize, default: u32) -> u32 {
        self.field(slot).map_or(default, |at| u32_at(self.buf, at))
    }

    pub fn bool(&self, slot: usize) -> bool {
        self.u8(slot, 0) != 0
    }

    pub fn table(&self, slot: usize) -> Option<Table<'a>> {
        self.field(slot).map(|at| Table { buf: self.buf, pos: at + u32_at(self.buf, at) as usize })
    }

    pub fn string(&self, slot: usize) -> Option<&'a str> {
        self.field(slot).map(|at| {
            let start = at + u32_at(self.buf, at) as usize;
            let len = u32_at(self.buf, start) as usize;
            std::str::from_utf8(&self.buf[start + 4..start + 4 + len]).expect("string is not UTF-8")
        })
    }
}

/// One worker → host message, decoded as far as the harness needs.
#[derive(Debug)]
pub enum Message {
    Response { id: u32, accepted: bool, body_type: u8, bytes: Vec<u8>, error: Option<String>, reason: Option<String> },
    Notification { handler_id: String, event: u8 },
    Log(String),
    /// A body kind the harness does not read (the number is shown when a test fails).
    Other(#[allow(dead_code)] u8),
}

/// The enum values the fixtures' manifest carries (FBS.Message.Body).
pub struct BodyKinds {
    pub response: u8,
    pub notification: u8,
    pub log: u8,
}

impl Message {
    // message.fbs: Message { data: Body (union: slots 0 type, 1 value) }
    // response.fbs: Response { id 0, accepted 1, body 2+3, error 4, reason 5 }
    // notification.fbs: Notification { handler_id 0, event 1, body 2+3 }
    // log.fbs: Log { data 0 }
    pub fn decode(bytes: &[u8], kinds: &BodyKinds) -> Message {
        let root = Table::root(bytes);
        let kind = root.u8(0, 0);
        let data = root.table(1).expect("message without data");
        if kind == kinds.response {
            Message::Response {
                id: data.u32(0, 0),
                accepted: data.bool(1),
                body_type: data.u8(2, 0),
                bytes: bytes.to_vec(),
                error: data.string(4).map(str::to_string),
                reason: data.string(5).map(str::to_string),
            }
        } else if kind == kinds.notification {
            Message::Notification {
                handler_id: data.string(0).unwrap_or("").to_string(),
                event: data.u8(1, 0),
            }
        } else if kind == kinds.log {
            Message::Log(data.string(0).unwrap_or("").to_string())
        } else {
            Message::Other(kind)
        }
    }
}

/// The body table of a response message (Response.body, slot 3).
pub fn response_body(bytes: &[u8]) -> Option<Table<'_>> {
    Table::root(bytes).table(1)?.table(3)
}
