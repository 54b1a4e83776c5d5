//! What a command, the kiosk or the desk report when they cannot go on: a message for the
//! person at the keyboard and the process exit code. Below `kiosk`, `desk` and `cli`, so
//! none of them imports another upward to say it failed.

/// A failure with its exit code: 2 = the input is wrong, 1 = something else failed.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    pub fn other(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}
