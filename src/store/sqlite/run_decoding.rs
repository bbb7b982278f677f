//! Turning a search's rows into runs on two threads. Most of the cost of a search that
//! finds many runs is building each run's params, tags and metrics from its summary blobs
//! (see [`super::summary`]), not reading the rows; so while this thread steps through the
//! rows, a helper thread decodes the summaries of the rows already read, and once the rows
//! are done this thread decodes alongside it.
//!
//! A search that finds fewer than [`CHUNK_ROWS`] runs is decoded where it is read: a
//! helper would cost more than it saves.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::entities::{Run, RunData, RunInfo};
use crate::error::Result;

use super::summary;

/// Rows handed to a decoding thread at a time.
pub const CHUNK_ROWS: usize = 64;

/// The summary blobs of consecutive rows, copied out of SQLite: row i's params, tags and
/// latest metrics end at `ends[i]` in `bytes`.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    ends: Vec<[usize; 3]>,
}

impl Chunk {
    fn push(&mut self, blobs: [&[u8]; 3]) {
        let mut ends = [0; 3];
        for (end, blob) in ends.iter_mut().zip(blobs) {
            self.bytes.extend_from_slice(blob);
            *end = self.bytes.len();
        }
        self.ends.push(ends);
    }

    fn decode(&self) -> Result<Vec<RunData>> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&[params_end, tags_end, metrics_end]| {
                let data = summary::decode(
                    &self.bytes[start..params_end],
                    &self.bytes[params_end..tags_end],
                    &self.bytes[tags_end..metrics_end],
                );
                start = metrics_end;
                data
            })
            .collect()
    }
}

/// Chunks waiting to be decoded, numbered in row order.
#[derive(Default)]
struct Queue {
    waiting: VecDeque<(usize, Chunk)>,
    /// No more chunks will come.
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    arrived: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn send(&self, number: usize, chunk: Chunk) {
        self.lock().waiting.push_back((number, chunk));
        self.arrived.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.arrived.notify_all();
    }

    /// The next chunk; waits for one while more may come.
    fn next(&self) -> Option<(usize, Chunk)> {
        let mut queue = self.lock();
        loop {
            if let Some(item) = queue.waiting.pop_front() {
                return Some(item);
            }
            if queue.closed {
                return None;
            }
            queue = self.arrived.wait(queue).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Decode chunks until none are left; the decoded chunks with their numbers.
    fn decode_all(&self) -> Result<Vec<(usize, Vec<RunData>)>> {
        let mut decoded = Vec::new();
        while let Some((number, chunk)) = self.next() {
            decoded.push((number, chunk.decode()?));
        }
        Ok(decoded)
    }
}

/// Collects the rows of a search and returns its runs, in row order.
pub struct RunDecoder<'scope, 'env> {
    scope: &'scope std::thread::Scope<'scope, 'env>,
    shared: &'scope Shared,
    helper: Option<std::thread::ScopedJoinHandle<'scope, Result<Vec<(usize, Vec<RunData>)>>>>,
    infos: Vec<RunInfo>,
    current: Chunk,
    sent: usize,
}

/// Run `read` with a decoder that it feeds each row's info and summary blobs, then return
/// the runs it read along with what `read` returned.
pub fn decode_runs<T>(read: impl FnOnce(&mut RunDecoder<'_, '_>) -> Result<T>) -> Result<(Vec<Run>, T)> {
    let shared = Shared::default();
    std::thread::scope(|scope| {
        let mut decoder =
            RunDecoder { scope, shared: &shared, helper: None, infos: Vec::new(), current: Chunk::default(), sent: 0 };
        let read_result = read(&mut decoder);
        // Whatever happened, the helper must be told to stop before the scope ends.
        shared.close();
        let runs = decoder.finish();
        Ok((runs?, read_result?))
    })
}

impl RunDecoder<'_, '_> {
    /// Add a row: its info, and its params, tags and latest metrics blobs.
    pub fn push(&mut self, info: RunInfo, blobs: [&[u8]; 3]) {
        self.infos.push(info);
        self.current.push(blobs);
        if self.current.ends.len() == CHUNK_ROWS {
            if self.helper.is_none() {
                let shared = self.shared;
                self.helper = Some(self.scope.spawn(move || shared.decode_all()));
            }
            self.shared.send(self.sent, std::mem::take(&mut self.current));
            self.sent += 1;
        }
    }

    /// Decode what is left here, alongside the helper, and put the runs together.
    fn finish(self) -> Result<Vec<Run>> {
        let mut decoded = vec![(self.sent, self.current.decode()?)];
        decoded.extend(self.shared.decode_all()?);
        if let Some(helper) = self.helper {
            let from_helper = helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            decoded.extend(from_helper);
        }
        decoded.sort_unstable_by_key(|(number, _)| *number);
        let data = decoded.into_iter().flat_map(|(_, chunk)| chunk);
        Ok(self.infos.into_iter().zip(data).map(|(info, data)| Run { info, data }).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{ExperimentId, LifecycleStage, RunStatus};

    fn info(index: usize) -> RunInfo {
        RunInfo {
            run_id: format!("run{index}"),
            run_name: format!("name{index}"),
            experiment_id: ExperimentId(1),
            user_id: "ann".into(),
            status: RunStatus::Finished,
            start_time: index as i64,
            end_time: None,
            artifact_uri: String::new(),
            lifecycle_stage: LifecycleStage::Active,
        }
    }

    /// JSONB of `{"i": "<index>"}`: an object (type 12) holding a text label and value.
    fn object_with_index(index: usize) -> Vec<u8> {
        let value = index.to_string();
        let mut payload = vec![0x17, b'i', (value.len() as u8) << 4 | 7];
        payload.extend_from_slice(value.as_bytes());
        let mut blob = vec![(payload.len() as u8) << 4 | 12];
        blob.extend(payload);
        blob
    }

    #[test]
    fn runs_come_back_in_row_order_with_their_own_data() {
        for count in [0, 1, CHUNK_ROWS - 1, CHUNK_ROWS, 5 * CHUNK_ROWS + 3] {
            let (runs, ()) = decode_runs(|decoder| {
                for index in 0..count {
                    let params = object_with_index(index);
                    decoder.push(info(index), [&params, &[0x0c], &[0x0c]]);
                }
                Ok(())
            })
            .unwrap();
            assert_eq!(runs.len(), count);
            for (index, run) in runs.iter().enumerate() {
                assert_eq!(run.info.run_id, format!("run{index}"));
                assert_eq!(run.data.params["i"], index.to_string(), "run {index} of {count}");
            }
        }
    }

    #[test]
    fn a_malformed_summary_is_an_error_wherever_it_is_decoded() {
        for bad_row in [0, CHUNK_ROWS + 1, 3 * CHUNK_ROWS - 1] {
            let result = decode_runs(|decoder| {
                for index in 0..3 * CHUNK_ROWS {
                    let params: &[u8] = if index == bad_row { &[0x13, b'x'] } else { &[0x0c] };
                    decoder.push(info(index), [params, &[0x0c], &[0x0c]]);
                }
                Ok(())
            });
            assert!(result.is_err(), "row {bad_row}");
        }
    }

    #[test]
    fn an_error_while_reading_still_stops_the_helper() {
        let result: Result<(Vec<Run>, ())> = decode_runs(|decoder| {
            for index in 0..2 * CHUNK_ROWS {
                decoder.push(info(index), [&[0x0c], &[0x0c], &[0x0c]]);
            }
            Err(crate::Error::Internal("the database failed".into()))
        });
        assert!(result.unwrap_err().to_string().contains("the database failed"));
    }
}
