package metrics

import (
	"strings"
	"sync"
)

// vec is a counter or gauge that ticketd updates, by label values (none
// for an unlabelled one).
type vec struct {
	name, help, kind string
	labels           []string

	mu     sync.Mutex
	values map[string]float64 // label values joined by sep → value
}

// sep joins label values into a map key: the byte 0xff is never in
// UTF-8 text, so no two lists of values join the same.
const sep = "\xff"

func newVec(kind, name, help string, labels ...string) *vec {
	v := &vec{name: name, help: help, kind: kind, labels: labels, values: map[string]float64{}}
	if len(labels) == 0 {
		v.values[""] = 0 // scraped from the start, as the Go client did
	}
	return v
}

// add adds d to the series of values, creating it (at d: add(0) makes it
// scraped at 0).
func (v *vec) add(d float64, values ...string) {
	k := strings.Join(values, sep)
	v.mu.Lock()
	v.values[k] += d
	v.mu.Unlock()
}

// set sets the series of values to x.
func (v *vec) set(x float64, values ...string) {
	k := strings.Join(values, sep)
	v.mu.Lock()
	v.values[k] = x
	v.mu.Unlock()
}

// family is the vec as scraped now.
func (v *vec) family() family {
	f := family{name: v.name, help: v.help, kind: v.kind, labels: v.labels}
	v.mu.Lock()
	defer v.mu.Unlock()
	for k, x := range v.values {
		var values []string
		if len(v.labels) > 0 {
			values = strings.Split(k, sep)
		}
		f.metrics = append(f.metrics, metric{values: values, value: x})
	}
	return f
}
