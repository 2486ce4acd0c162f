package metrics

import (
	"bufio"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// contentType is the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), the
// format and header the Go client served before this writer replaced it.
const contentType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"

// family is one metric family as scraped: its name, help, type and
// samples.
type family struct {
	name, help string
	kind       string   // "counter", "gauge" or "summary"
	labels     []string // label names, in the order written
	metrics    []metric
}

// metric is one labelled member of a family: a value for counters and
// gauges, a count, sum and quantiles for summaries.
type metric struct {
	values    []string // label values, as family.labels names them
	value     float64
	count     uint64
	sum       float64
	quantiles []quantile // summaries; none when nothing was observed
}

type quantile struct{ q, v float64 }

// writeText writes fams in the text format as the Go client did:
// families sorted by name, the metrics of each by label values (so two
// scrapes of the same state are the same bytes), families without
// metrics left out.
func writeText(out io.Writer, fams []family) error {
	slices.SortFunc(fams, func(a, b family) int { return strings.Compare(a.name, b.name) })
	w := bufio.NewWriter(out)
	for _, f := range fams {
		if len(f.metrics) == 0 {
			continue
		}
		slices.SortStableFunc(f.metrics, func(a, b metric) int { return slices.Compare(a.values, b.values) })
		w.WriteString("# HELP " + f.name + " ")
		w.WriteString(helpEscaper.Replace(f.help))
		w.WriteString("\n# TYPE " + f.name + " " + f.kind + "\n")
		for _, m := range f.metrics {
			if f.kind != "summary" {
				writeSample(w, f.name, f.labels, m.values, "", m.value)
				continue
			}
			for _, q := range m.quantiles {
				writeSample(w, f.name, f.labels, m.values, formatFloat(q.q), q.v)
			}
			writeSample(w, f.name+"_sum", f.labels, m.values, "", m.sum)
			writeSample(w, f.name+"_count", f.labels, m.values, "", float64(m.count))
		}
	}
	return w.Flush()
}

// writeSample writes one line: name{labels} value, with a quantile label
// last when q is not "".
func writeSample(w *bufio.Writer, name string, labels, values []string, q string, v float64) {
	w.WriteString(name)
	if len(labels) > 0 || q != "" {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l + `="` + labelEscaper.Replace(values[i]) + `"`)
		}
		if q != "" {
			if len(labels) > 0 {
				w.WriteByte(',')
			}
			w.WriteString(`quantile="` + q + `"`)
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

// formatFloat writes v as Prometheus parses it: shortest round-tripping
// form, and +Inf, -Inf, NaN spelt its way.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// The format's escapes: HELP text escapes backslash and newline, label
// values also the double quote.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// gauge is a family of one unlabelled gauge.
func gauge(name, help string, v float64) family {
	return family{name: name, help: help, kind: "gauge", metrics: []metric{{value: v}}}
}
