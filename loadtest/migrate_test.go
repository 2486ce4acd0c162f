package loadtest

// TestLargeMigration: the first start of a binary with report aggregates
// on the databases TestLargeDatabase built, as an upgrade from schema 2
// meets it (issue 15). The built databases are never written: each is
// copied, the copy loses its aggregates (unmigrate), and the real binary's
// first start on it is timed:
//
//	go test ./loadtest -run TestLargeMigration -v -timeout 0 -load.migrate \
//	    -load.tickets 10000,100000 -load.dir /work/bigdb -load.migratedir /work/migrate-data

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	be "encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	loadMigrate    = flag.Bool("load.migrate", false, "TestLargeMigration times the aggregates' migration on copies of the -load.dir databases")
	loadMigrateDir = flag.String("load.migratedir", "", "TestLargeMigration copies the databases here (default: a temporary directory); the copies are removed at the end")
	loadBinary     = flag.String("load.binary", "", "TestLoad and TestLargeMigration run this ticketd instead of the one built from the tree (a \"before\" binary)")
	loadKill       = flag.Bool("load.kill", false, "TestLargeMigration SIGKILLs the first start at the migration's first progress line and times the second, which resumes it")
	loadCold       = flag.Bool("load.cold", false, "TestLargeMigration drops the copy's pages from the page cache before the start (as after a reboot)")
)

// The layout of schema 3 that schema 2 lacks (tickets/doc.go): the report
// aggregates' buckets and meta keys.
var (
	aggBuckets  = []string{"agg_facts", "agg_days", "agg_spans", "agg_backlog", "agg_state"}
	aggMetaKeys = []string{"agg_zone", "agg_build"}
)

// unmigrate turns the database at path into one of schema 2: no
// aggregates. Their pages become free pages of the file, which the
// migration then reuses (a real schema-2 file would grow instead).
func unmigrate(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range aggBuckets {
			if tx.Bucket([]byte(name)) == nil {
				continue
			}
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return fmt.Errorf("delete %s: %w", name, err)
			}
		}
		meta := tx.Bucket([]byte("meta"))
		for _, k := range aggMetaKeys {
			if err := meta.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return meta.Put([]byte("schema"), be.BigEndian.AppendUint64(nil, 2))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyFile copies src to dst, fsynced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// dropCache evicts path's pages from the page cache (they are clean:
// written and synced), so the start reads the file from the disk. Only
// that file's pages: the machine's other work keeps its cache.
func dropCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	const fadvDontNeed = 4 // POSIX_FADV_DONTNEED
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); errno != 0 {
		return fmt.Errorf("fadvise %s: %w", path, errno)
	}
	return nil
}

// migrationFigures are one first start on a copy of schema 2.
type migrationFigures struct {
	Tickets  int     `json:"tickets"`
	Ms       float64 `json:"ms"`        // exec → "ticketd started"
	CPUMs    float64 `json:"cpu_ms"`    // user + system of the process
	AnonMB   float64 `json:"anon_mb"`   // peak RssAnon: heap and stacks
	HWMMB    float64 `json:"hwm_mb"`    // VmHWM: also the mapped file's pages it touched
	Progress int     `json:"progress"`  // progress lines the migration logged
	FileMB   float64 `json:"file_mb"`   // the copy before
	AfterMB  float64 `json:"after_mb"`  // and after the migration
	Majflt   int64   `json:"major_flt"` // major page faults (file pages read from disk)
}

func TestLargeMigration(t *testing.T) {
	if !*loadMigrate {
		t.Skip("-load.migrate not set")
	}
	if *loadDir == "" {
		t.Fatal("-load.migrate needs -load.dir with the built databases")
	}
	bin := binary
	if *loadBinary != "" {
		bin = *loadBinary
	}
	for _, n := range largeSizes(t) {
		src := filepath.Join(*loadDir, strconv.Itoa(n), "data", "ticketd.db")
		if _, err := os.Stat(src); err != nil {
			t.Logf("%d tickets: no database at %s, skipped", n, src)
			continue
		}
		var ms, cpu, anon, hwm []float64
		for range max(*loadRuns, 1) {
			f := timeMigration(t, bin, src, n)
			t.Logf("%d tickets: migration %.0f ms wall, %.0f ms CPU, peak RssAnon %.1f MB, VmHWM %.1f MB, %d major faults, %d progress lines, file %.0f → %.0f MB",
				n, f.Ms, f.CPUMs, f.AnonMB, f.HWMMB, f.Majflt, f.Progress, f.FileMB, f.AfterMB)
			ms, cpu, anon, hwm = append(ms, f.Ms), append(cpu, f.CPUMs), append(anon, f.AnonMB), append(hwm, f.HWMMB)
			if *loadJSON != "" {
				appendJSON(t, *loadJSON, map[string]any{"test": "migration", "cold": *loadCold, "figures": f})
			}
		}
		t.Logf("%d tickets, medians of %d runs (cold cache: %v): %.0f ms wall, %.0f ms CPU, peak RssAnon %.1f MB, VmHWM %.1f MB",
			n, len(ms), *loadCold, median(ms), median(cpu), median(anon), median(hwm))
	}
}

// timeMigration copies the database at src, unmigrates the copy and times
// bin's first start on it; the copy is removed at the end. With -load.kill
// that first start is SIGKILLed at the migration's first progress line and
// the figures are the second start's, which resumes it; either way the
// aggregates built must equal those kept in src.
func timeMigration(t *testing.T, bin, src string, n int) migrationFigures {
	t.Helper()
	base := *loadMigrateDir
	if base == "" {
		base = t.TempDir()
	}
	dir, err := os.MkdirTemp(base, fmt.Sprintf("migrate-%d-", n))
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(data, "ticketd.db")
	start := time.Now()
	if err := copyFile(src, path); err != nil {
		t.Fatal(err)
	}
	if err := unmigrate(path); err != nil {
		t.Fatalf("unmigrate %s: %v", path, err)
	}
	if *loadCold {
		if err := dropCache(path); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d tickets: copied and unmigrated in %s (cold cache: %v)", n, time.Since(start).Round(time.Second), *loadCold)
	f := migrationFigures{Tickets: n, FileMB: fileMB(t, path)}
	config := bigConfig(t, dir, "")
	if *loadKill {
		first, killed := startMigration(t, bin, config, &migrationFigures{}, " ticket=") // the progress line, not from_ticket=
		if killed {
			t.Logf("%d tickets: first start killed during the migration after %.0f ms", n, first.Ms)
		} else {
			t.Logf("%d tickets: the migration ended before its first progress line (%.0f ms): nothing killed", n, first.Ms)
		}
	}
	f, _ = startMigration(t, bin, config, &f, "")
	f.AfterMB = fileMB(t, path)
	if diff := compareAggregates(src, path); diff != "" {
		t.Errorf("%d tickets: the migrated aggregates differ from those kept in %s: %s", n, src, diff)
	}
	return f
}

// startMigration runs "ticketd run" with config until it logs "ticketd
// started" and returns f with its figures; when killAt is not "", it is
// SIGKILLed instead at the first migration log line holding killAt, if
// one comes first (true).
func startMigration(t *testing.T, bin, config string, f *migrationFigures, killAt string) (migrationFigures, bool) {
	t.Helper()
	cmd := exec.Command(bin, "run", "--config", config)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	peak := make(chan procPeak, 1)
	go func() { peak <- samplePeaks(ctx, cmd.Process.Pid) }()
	started := make(chan bool, 1)
	killed := false
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, "report aggregates") {
				f.Progress++
				t.Log(line)
				if killAt != "" && strings.Contains(line, killAt) {
					_ = cmd.Process.Kill()
					killed = true
					started <- true
					_, _ = io.Copy(io.Discard, stderr)
					return
				}
			}
			if strings.Contains(line, "ticketd started") {
				started <- true
				_, _ = io.Copy(io.Discard, stderr)
				return
			}
			log.WriteString(line + "\n")
		}
		started <- false
	}()
	ok := <-started
	f.Ms = time.Since(start).Seconds() * 1000
	p := procStatus(cmd.Process.Pid)
	stop()
	pk := <-peak
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !ok {
		t.Fatalf("ticketd run ended before it started:\n%s", tail(log.String(), 10))
	}
	f.CPUMs = float64((cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Microseconds()) / 1000
	f.AnonMB, f.HWMMB = float64(max(pk.anon, p.anon))/1024, float64(max(pk.hwm, p.hwm))/1024
	f.Majflt = p.majflt
	return *f, killed
}

// compareAggregates compares the aggregates' buckets and meta keys of the
// databases at a and b (opened read-only), walking both in key order;
// "" when they are equal.
func compareAggregates(a, b string) string {
	var dbs [2]*bolt.DB
	for i, path := range []string{a, b} {
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			return err.Error()
		}
		defer db.Close()
		dbs[i] = db
	}
	diffs, keys, first := 0, 0, ""
	differ := func(what string, k []byte) {
		if diffs == 0 {
			first = fmt.Sprintf("%s %x", what, k)
		}
		diffs++
	}
	err := dbs[0].View(func(ta *bolt.Tx) error {
		return dbs[1].View(func(tb *bolt.Tx) error {
			for _, k := range aggMetaKeys {
				va, vb := ta.Bucket([]byte("meta")).Get([]byte(k)), tb.Bucket([]byte("meta")).Get([]byte(k))
				if k == "agg_zone" { // a new database's are UTC's without saying
					va, vb = []byte(cmp.Or(string(va), "UTC")), []byte(cmp.Or(string(vb), "UTC"))
				}
				if !bytes.Equal(va, vb) {
					differ("meta", []byte(k))
				}
			}
			for _, name := range aggBuckets {
				ba, bb := ta.Bucket([]byte(name)), tb.Bucket([]byte(name))
				if ba == nil || bb == nil {
					return fmt.Errorf("no bucket %s", name)
				}
				ca, cb := ba.Cursor(), bb.Cursor()
				ka, va := ca.First()
				kb, vb := cb.First()
				for ka != nil || kb != nil {
					keys++
					switch c := bytes.Compare(ka, kb); {
					case ka != nil && (kb == nil || c < 0):
						differ(name+" only in "+a, ka)
						ka, va = ca.Next()
					case kb != nil && (ka == nil || c > 0):
						differ(name+" only in "+b, kb)
						kb, vb = cb.Next()
					default:
						if !bytes.Equal(va, vb) {
							differ(name+" value", ka)
						}
						ka, va = ca.Next()
						kb, vb = cb.Next()
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return err.Error()
	}
	if diffs == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d keys, first: %s", diffs, keys, first)
}

func fileMB(t *testing.T, path string) float64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return float64(fi.Size()) / (1 << 20)
}
