/**
 * The meeting state every page keeps: a snapshot (protocol §4.3) that server events update.
 * `applyEvent` mutates the state in place and returns it.
 */

/** An empty state, shaped like a snapshot, for before the first one arrives. */
export function emptyState() {
  return {
    seq: null,
    meeting: null,
    agenda: [],
    current_item_id: null,
    attendance: null,
    poll: null,
    tally: null,
    result: null,
    me: null,
    polls: null,
    delegates: null,
    results: {}, // poll_id → Result, kept for the chair's list of closed polls
  };
}

/** Turn a snapshot into the page state. */
export function fromSnapshot(snapshot) {
  const state = Object.assign(emptyState(), snapshot);
  state.agenda = Array.isArray(snapshot.agenda) ? snapshot.agenda : [];
  state.results = {};
  if (snapshot.result && snapshot.poll) state.results[snapshot.poll.id] = snapshot.result;
  return state;
}

function upsertPoll(state, poll) {
  if (!poll || !Array.isArray(state.polls)) return;
  const index = state.polls.findIndex((p) => p.id === poll.id);
  if (index >= 0) state.polls[index] = poll;
  else state.polls.push(poll);
}

/** The poll being shown: the open one, else the one closed or annulled last. */
function showPoll(state, poll, { result = null } = {}) {
  state.poll = poll;
  state.result = result;
  state.pollDismissed = false;
  if (poll.state !== "open") state.tally = null;
}

/**
 * Apply one server event.
 * @param {object} state
 * @param {string} name
 * @param {object} p payload
 */
export function applyEvent(state, name, p) {
  switch (name) {
    case "poll.created":
      upsertPoll(state, p.poll);
      break;
    case "poll.opened":
      upsertPoll(state, p.poll);
      showPoll(state, p.poll);
      state.tally = null;
      break;
    case "poll.tally":
      if (p.tally && state.poll && p.tally.poll_id === state.poll.id && state.poll.state === "open") {
        state.tally = p.tally;
      }
      break;
    case "poll.closed":
      upsertPoll(state, p.poll);
      if (p.result) state.results[p.poll.id] = p.result;
      if (!state.poll || state.poll.id === p.poll.id || state.poll.state !== "open") {
        showPoll(state, p.poll, { result: p.result || null });
      }
      break;
    case "poll.annulled":
      upsertPoll(state, p.poll);
      delete state.results[p.poll.id];
      if (!state.poll || state.poll.id === p.poll.id || state.poll.state !== "open") {
        showPoll(state, p.poll);
      }
      break;
    case "agenda.current":
      if (Array.isArray(p.agenda)) state.agenda = p.agenda;
      state.current_item_id = p.item_id ?? null;
      if (p.meeting_state && state.meeting) state.meeting.state = p.meeting_state;
      // The chair moved on after the result: a finished poll leaves the stage.
      if (state.poll && state.poll.state !== "open") state.pollDismissed = true;
      break;
    case "attendance.summary":
      if (p.attendance) state.attendance = p.attendance;
      break;
    case "delegate.updated": {
      const row = p.delegate;
      if (!row) break;
      if (state.me && state.me.delegate && state.me.delegate.id === row.id) {
        state.me.present = Boolean(row.present);
      }
      if (Array.isArray(state.delegates)) {
        const index = state.delegates.findIndex((d) => d.id === row.id);
        if (index >= 0) state.delegates[index] = row;
        else state.delegates.push(row);
      }
      break;
    }
    default:
      break;
  }
  return state;
}

/** The current agenda item, or null. */
export function currentItem(state) {
  if (!state.agenda) return null;
  return (
    state.agenda.find((item) => item.id === state.current_item_id) ||
    state.agenda.find((item) => item.state === "current") ||
    null
  );
}

/** The label of `value` among the poll's options (falls back to the value). */
export function optionLabel(poll, value) {
  const option = poll && Array.isArray(poll.options) ? poll.options.find((o) => o.value === value) : null;
  return option ? option.label : value;
}

/**
 * The poll a tablet or the projector puts on stage: the open poll, or the poll closed or
 * annulled last until the chair selects an agenda item after it; otherwise null (idle).
 * On a fresh snapshot, a finished poll of another item than the current one counts as moved on.
 */
export function pollOnStage(state) {
  const poll = state.poll;
  if (!poll || poll.state === "draft") return null;
  if (poll.state === "open") return poll;
  if (state.pollDismissed) return null;
  if (state.pollDismissed === false) return poll;
  if (state.current_item_id == null || poll.agenda_item_id == null) return poll;
  return poll.agenda_item_id === state.current_item_id ? poll : null;
}
