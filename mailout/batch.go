package mailout

import (
	"fmt"

	"github.com/ticketd/ticketd/tickets"
)

// BatchQueue is a Queue that records many deliveries in one commit;
// *tickets.Store is one. With it the Sender records the deliveries of one
// SMTP connection (up to Options.BatchSize mails) together when the batch
// ends, instead of one fsync per mail.
//
// Crash safety: a mail is recorded only after the server accepted it, as
// before; a crash in the middle of a batch means the mails accepted in it
// so far are sent again on restart (with the same Message-ID, which mail
// clients collapse), never that a mail is lost.
type BatchQueue interface {
	Queue
	MarkDeliveredBatch(ds []tickets.Delivery) error
}

func (s *Sender) flushDelivered(q BatchQueue, ds []tickets.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	if err := q.MarkDeliveredBatch(ds); err != nil {
		return fmt.Errorf("mark delivered: %w", err)
	}
	return nil
}
