// Package tickets owns ticketd's domain: tickets, their timelines, the
// Message-ID index that threads conversations, and the durable outbox — all
// in one bbolt file — plus the workflow (Service) that applies received mail
// to tickets.
//
// # Invariants
//
//   - A received message changes a ticket and queues the mails it causes in
//     ONE bbolt transaction. Callers move the message out of the inbox only
//     after Apply returned, so a crash at any point loses nothing; re-applying
//     the same Message-ID is recognised and changes nothing.
//   - Ticket numbers come from the tickets bucket's sequence: sequential, never
//     reused, even after a rolled-back transaction (bbolt rolls the sequence
//     back with it, and nothing outside the transaction has seen the number).
//   - Outgoing mails are fully rendered when queued; the outbox only delivers.
//   - Every new mail enters the outbox through queueMail (outbox.go), which
//     signs its Message-ID and indexes it as sent: a reply to any mail
//     ticketd sent threads back, or is known as ticketd's own.
//   - No network I/O happens inside a transaction.
//   - A ticket's queue (Ticket.Queue; "" and queues the configuration lost
//     read as the default queue) decides its From address, tag, language,
//     agents and tiers (queue.go); no bucket depends on it, so a store older
//     than queues is a store of one queue.
//   - SLA decisions (warnings, breaches, escalations, alerts) are taken,
//     recorded on the ticket and their mails queued in one transaction that
//     also refiles the ticket in sla_due, so none is repeated or skipped.
//   - An existing file is opened only after its meta pages, its size and its
//     schema marker were checked (store_damaged.go); a damaged one is refused
//     with ErrDamaged and never re-initialised. A new file is built under a
//     temporary name and linked into place with its marker already in it.
//
// # Bucket layout (schema version 7)
//
//	meta      "schema" → u64be(version)
//	          "msgid_secret" → 32 random bytes: the HMAC key of ticketd's Message-IDs (msgid.go)
//	tickets   u64be(ticket) → Ticket, binary (codec_ticket.go; JSON before schema 6, still read)
//	events    u64be(ticket) | u64be(seq) → Event, binary (codec_event.go; JSON before schema 5, still read)
//	          (seq: the bucket's sequence)
//	msgids    Message-ID (no angle brackets) → u64be(ticket) | direction byte
//	          direction: 'i' received, 'o' sent by ticketd, 'x' received and ignored,
//	          's' received and filed as spam (ticket 0: spam joins no ticket)
//	outbox    u64be(mail) → Mail, binary (codec_mail.go; JSON before schema 7, still read) (waiting to be delivered)
//	outbox_due u64be(next attempt, unix ns) | u64be(mail) → "" (the outbox by due time)
//	failed    u64be(mail) → Mail, binary as in outbox         (given up; kept for the admin)
//	undeliverable address → JSON Undeliverable               (hard-bounced; not mailed until it writes again)
//	acks      address → JSON []time                         (acknowledgements sent within the rate-limit window)
//	          limit name | 0 | key → JSON []time             (the other per-sender/per-ticket caps of Limits, ratelimit.go)
//	sla_due   u64be(next SLA attention, unix ns) | u64be(ticket) → ""
//	          one entry per ticket with a running countdown; the instant is
//	          also kept in Ticket.NextCheck so the entry can be replaced
//	vendor_refs u64be(tier) | vendor's ticket number → u64be(ticket)
//	requesters address | 0 | u64be(ticket) → ""              (a requester's tickets: status replies; #requester moves the entry)
//	requester_domains domain → ""                           (requesters verifiably wrote from it: verify.go)
//	requester_languages address → JSON RememberedLanguage   (a requester's language, detected or set by #language: language.go)
//	blocked_senders address → JSON BlockedSender             (blocked by #spam: their mail is spam, spam.go)
//	kb        u64be(article) → JSON Article
//	kb_terms  term | 0 | u64be(article) → u32be(term frequency) (the search index)
//	kb_by_ticket u64be(ticket) → u64be(article)              (#kb again on a ticket edits its article)
//	problem_incidents u64be(problem) | u64be(incident) → ""  (an incident's side is Ticket.Problem; problems.go)
//	agent_open u64be(ticket) → assignee address               (the open tickets with an assignee: the agents' morning mail;
//	          made from every ticket by the first mail sent, then kept by putTicket; no schema change)
//	meta      "last_digest" → u64be(unix ns of the last digest sent)
//	digest_log u64be(unix ns) | u64be(ticket) | mark → ""   (mark 'e' escalated, 'b' SLA breach:
//	          the digest's lists of the period; made by the first write, pruned by each
//	          digest sent; without it the digest reads the events once: digest_lists.go)
//	          "sla_backfill" → set while tickets from schema 1 await their clocks
//	          "kb_stats" → JSON {docs, total_len} for BM25
//	          "agg_zone" → the time zone name the report aggregates count days in ("" = UTC)
//	          "agg_build" → u64be(last ticket counted) | zone name: while the aggregates are
//	          being (re)built, a chunk of tickets per transaction (store_aggregate_rebuild.go);
//	          nothing reads them then, and the next open resumes after that ticket
//
// The report aggregates and counters (schema 3, agg_months schema 4;
// aggregate.go says what is counted, store_aggregate*.go keep them):
// every putTicket and every counted addEvent updates them in its own
// transaction, by difference with agg_facts, and a key whose figures
// fall to zero is deleted, so the
// buckets always hold exactly what a rebuild makes of the tickets and
// events (tested). A rebuild (the migration to schema 3, a change of the
// desk's zone) commits a chunk of tickets at a time; until its last chunk
// the readers fall back to reading the tickets, and writes count only the
// tickets it has passed. Binary, uvarint/varint ("v"), strings as
// uvarint(len) | bytes ("s"); day = days since 1970-01-01 in the zone
// + 2^30, u32be; tuple = v(tier) s(agent) s(queue) s(type) s(category)
// s(priority).
//
//	agg_facts u64be(ticket) → v(len(part)) | part | event facts
//	          part: state (s(status) v(tier) s(queue) s(type) s(category)
//	          v(secs to first response, -1) v(secs to resolution, -1)),
//	          counted byte (0: spam, nothing more), s(queue) s(type)
//	          s(category) s(priority), open span v(start) v(end, 0 open)
//	          v(tier), v(n) facts; fact = v(unix s) v(tier) s(agent)
//	          byte(counter+1) byte(duration kind) v(secs)
//	agg_days  u32be(day) | tuple → counters and histograms: v(mask of the
//	          non-zero counters) v(each), then first response and resolution
//	          histograms: v(n) [v(sum) v(buckets) (v(index delta) v(count) v(sum))...]
//	agg_months u32be(the month's first day) | tuple → as agg_days: the sum of
//	          that civil month's agg_days records, kept in the same transaction
//	          (store_aggregate_months.go); reports over whole months read these
//	          unless grouped by day or week. The migration to schema 4 summed the
//	          days; from then on every write and rebuild keeps both
//	agg_spans u32be(day) | tuple(agent "") → v(opened that day) v(ended that day)
//	          u32be(0xffffffff) | tuple → v(open now) v(0)
//	agg_backlog u32be(unix hour) → v(tickets open now opened in that hour)
//	agg_state 'c' s(queue) s(status) v(tier) s(type) s(category) → v(tickets)
//	          't' s(queue) s(type) → as agg_days (resolved count, wall-clock times)
//	          "events" → v(events), "msgids" → v(Message-IDs indexed)
//
// Only the store files name buckets; the rules reach them through small
// functions taking the caller's *bolt.Tx:
//
//	store.go         the bucket list, opening, tickets, events, msgids, the outbox and failed
//	store_index.go   undeliverable, vendor_refs, requesters, acks, meta last_digest and msgid_secret
//	store_digest.go  digest_log, and agg_backlog read for the oldest open tickets (digest_lists.go)
//	store_outbox.go  outbox, outbox_due and failed for admin.go (RetryMail) and delivery.go;
//	                 putOutbox and deleteOutbox keep store_outbox_count.go's count of
//	                 untried mails (in memory, counted at Open: the ingest's flow control)
//	delivery_log.go  the delivery log ticketd.db.sent (no bucket)
//	store_sla.go     sla_due and meta sla_backfill (sla.go)
//	store_agentdigest.go  agent_open (agentdigest.go)
//	store_stats.go   Store.Stats and the ticket listing (stats.go)
//	store_kb.go      kb, kb_terms, kb_by_ticket, meta kb_stats (kb.go)
//	store_domains.go requester_domains (verify.go)
//	store_problems.go problem_incidents, and events copied by a merge (merge.go)
//	store_languages.go requester_languages (language.go)
//	store_spam.go    blocked_senders (spam.go)
//	store_damaged.go, store_migrate.go  meta schema and the tickets count while opening and migrating
//	store_aggregate*.go  agg_facts, agg_days, agg_months, agg_spans, agg_backlog, agg_state, meta agg_zone
//	                 (putTicket, addEvent, putEventCopy and indexMsgID call into them)
//
// Beside the file, ticketd.db.sent is the delivery log (delivery_log.go):
// SMTP transactions the server accepted, appended and fsynced by the
// sender (Store.LogSent), not yet applied to the outbox and events. It is
// applied in one transaction per round of mails, before any outbox
// operation, at Close, and replayed by Open after a crash (applying a
// delivery twice changes nothing); a read-only Store ignores it.
//
// "JSON" values are written and the hot ones read through codec.go
// (goccy/go-json): the same JSON encoding/json writes, except that "<",
// ">" and "&" are not escaped; any JSON reader reads them unchanged.
//
// Attachment content lives outside bbolt, in data_dir/attachments/<sha256[:2]>/<sha256>
// (see Blobs); events and outbox mails refer to it by SHA-256. The digest's charts
// are stored there too, before the transaction that queues the digest, and its mail
// shows them by Attachment.ContentID (digest_charts.go).
//
// Outgoing Message-IDs are "ticketd.<ticket>.<mail>.<random>.<mac>@<desk domain>",
// mac = first 16 hex digits of HMAC-SHA256(msgid_secret, domain | 0 | the part before it).
// Every mail also ends with "-- \nref:<its Message-ID>", so the id survives in quoted
// text. Older unsigned ids ("ticketd.<ticket>.<mail>.<random>@domain") stay valid through
// the msgids index. undeliverable, acks, blocked_senders and requester_languages were added without a schema change: older data needs no migration
// (blocked_senders is created at the first #spam that blocks; the msgids direction 's' is new and
// older code never wrote it; requester_languages is created by its first write, and a ticket without
// Language is written to in its queue's language).
//
// An Event's Role (inbound mail: as whom it was added) and Template
// (outbound mail) are what code reads; Detail is prose for people and is
// never compared. Events written before Role and Template existed carried
// both in Detail: they are read with the role and template it meant
// (Event.UnmarshalJSON, role.go), so older data needs no migration.
//
// A merge copies the merged ticket's events onto the survivor's timeline
// under their own sequence numbers (Event.MergedFrom set): since one
// sequence numbers every ticket's events, the survivor's timeline stays in
// the order things happened. problem_incidents and Ticket.MergedInto were
// added without a schema change: the bucket is created on open, and older
// tickets have no links.
//
// Mails with ticket 0 (digests, status replies) belong to no ticket: their
// delivery is not recorded on a timeline.
//
// All integers are big-endian so keys sort numerically.
package tickets
