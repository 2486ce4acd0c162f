package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportCSVOpensInLibreOffice: the spreadsheet CSV (--sep ';' --bom)
// opened by LibreOffice Calc as a Spanish user opens it: the byte order
// mark is not part of the first heading, a name with a separator, quotes
// and a line break stays one cell, and decimal-comma times are numbers.
// Skipped where LibreOffice is not installed (apt-get install
// libreoffice-calc-nogui); it takes some 30 s.
func TestReportCSVOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
	}
	if testing.Short() {
		t.Skip("-short: LibreOffice takes some 30 s")
	}
	cfg := reportConfig(t)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(csvPath, []byte(render(t, cfg, reportOptions{format: "csv", sep: ";", bom: true}, sampleReport(cfg.Location))), 0o644); err != nil {
		t.Fatal(err)
	}
	// 59 ';', 34 '"', 76 UTF-8, from line 1, default column types,
	// language 3082 (es-ES): what Calc's import dialog offers for es.
	cmd := exec.Command(soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--infilter=CSV:59,34,76,1,,3082", "--convert-to", "fods", "--outdir", dir, csvPath)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	timer := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.fods"))
	if err != nil {
		t.Fatalf("no converted sheet: %v\n%s", err, out)
	}
	var doc struct {
		Rows []struct {
			Cells []struct {
				Type     string   `xml:"value-type,attr"`
				Value    string   `xml:"value,attr"`
				Repeated int      `xml:"number-columns-repeated,attr"`
				Paras    []string `xml:"p"`
			} `xml:"table-cell"`
		} `xml:"body>spreadsheet>table>table-row"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	type cell struct{ typ, value, text string }
	var sheet [][]cell
	for _, r := range doc.Rows {
		var row []cell
		for _, c := range r.Cells {
			for range max(c.Repeated, 1) {
				row = append(row, cell{c.Type, c.Value, strings.Join(c.Paras, "\n")})
			}
		}
		sheet = append(sheet, row)
	}
	if len(sheet) < 5 || len(sheet[0]) < 10 {
		t.Fatalf("sheet of %d rows: %+v", len(sheet), sheet)
	}
	if a1 := sheet[0][0]; a1.text != "tier" {
		t.Errorf("A1 = %q, want tier (the BOM is not text)", a1.text)
	}
	if b2 := sheet[1][1]; b2.text != "Redes; \"VPN\"\nremoto" {
		t.Errorf("B2 = %q, want the category in one cell", b2.text)
	}
	col := -1
	for i, c := range sheet[0] {
		if c.text == "first_response_median_h" {
			col = i
		}
	}
	if c := sheet[1][col]; col < 0 || c.typ != "float" || c.value != "1.5" {
		t.Errorf("first_response_median_h = %+v, want the number 1.5", c)
	}
	if c := sheet[4][0]; c.text != "total" {
		t.Errorf("A5 = %+v, want total", c)
	}
}
