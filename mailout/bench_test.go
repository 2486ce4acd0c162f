package mailout

import (
	"bytes"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/tickets"
)

// processCPU is this process's user + system time: on a machine shared
// with other work, CPU per operation says more than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU per operation since start (cpu-µs/op).
func reportCPU(b *testing.B, start time.Duration, n int) {
	b.ReportMetric(float64((processCPU()-start).Nanoseconds())/1e3/float64(n), "cpu-µs/op")
}

// BenchmarkCompose composes a typical acknowledgement (text + HTML,
// Spanish, threaded headers).
func BenchmarkCompose(b *testing.B) {
	m := testMail()
	b.ReportAllocs()
	cpu, n := processCPU(), 0
	for b.Loop() {
		if _, err := Compose(m, queued); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, cpu, n)
}

// BenchmarkComposeReused composes the same mail into one reused buffer,
// as each connection of the Sender does.
func BenchmarkComposeReused(b *testing.B) {
	m := testMail()
	var buf bytes.Buffer
	b.ReportAllocs()
	cpu, n := processCPU(), 0
	for b.Loop() {
		buf.Reset()
		if err := composeInto(&buf, m, queued, nil); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, cpu, n)
}

// BenchmarkTransaction sends a typical mail over one loopback session to
// a minimal server (session_test.go) — pipelined with the next mail's
// envelope behind the final dot (as the Sender does), pipelined alone,
// and one command per write: the CPU per mail counts both ends, in the
// same conditions.
func BenchmarkTransaction(b *testing.B) {
	var data bytes.Buffer
	if err := composeInto(&data, testMail(), queued, nil); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name, ext string
		ahead     bool
	}{{"pipelined-ahead", "PIPELINING", true}, {"pipelined", "PIPELINING", false}, {"one-by-one", "SIZE 0", false}} {
		b.Run(tc.name, func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			served := make(chan *scripted, 1)
			go func() {
				if nc, err := ln.Accept(); err == nil {
					served <- serve(b, nc, tc.ext, okReply)
				}
			}()
			nc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			s := newSession(nc)
			if err := s.open("client.test", false, nil); err != nil {
				b.Fatal(err)
			}
			c := &conn{s: s, stop: func() bool { return true }}
			rcpts := rcptsOf("ana@example.com")
			mails := [2]tickets.Mail{{ID: 1}, {ID: 2}}
			b.ReportAllocs()
			cpu, n := processCPU(), 0
			for b.Loop() {
				m := &mails[n%2]
				var follow *envelope
				if tc.ahead {
					next, _ := c.plan("desk@example.com", rcpts, data.Len(), &mails[(n+1)%2])
					follow = &next
				}
				if res := c.transact("desk@example.com", rcpts, data.Bytes(), m, noWait, follow); res.err != nil || len(res.accepted) != 1 {
					b.Fatalf("result %+v", res)
				}
				n++
			}
			reportCPU(b, cpu, n)
			c.quit()
			<-(<-served).done
		})
	}
	// The same over go-smtp's Client, as mailout sent before session.go:
	// each command waits for its reply.
	b.Run("go-smtp-client", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		served := make(chan *scripted, 1)
		go func() {
			if nc, err := ln.Accept(); err == nil {
				served <- serve(b, nc, "PIPELINING", okReply)
			}
		}()
		c, err := smtp.Dial(ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Hello("client.test"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		cpu, n := processCPU(), 0
		for b.Loop() {
			if err := c.Mail("desk@example.com", &smtp.MailOptions{Size: int64(data.Len())}); err != nil {
				b.Fatal(err)
			}
			if err := c.Rcpt("ana@example.com", nil); err != nil {
				b.Fatal(err)
			}
			w, err := c.Data()
			if err != nil {
				b.Fatal(err)
			}
			w.Write(data.Bytes())
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportCPU(b, cpu, n)
		c.Quit()
		<-(<-served).done
	})
}
