package tickets

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// TestOldEventsGetTheirRole: events written before events had a Role and
// a Template (the role and the outbound template were in Detail) are read
// with the role and template Detail meant, and keep their Detail for
// people; an event that has a Role keeps it whatever its Detail says.
func TestOldEventsGetTheirRole(t *testing.T) {
	for _, tt := range []struct {
		json     string
		role     Role
		template templates.Name
	}{
		{`{"seq":1,"ticket":1,"kind":"inbound","actor":"pedro@client.com"}`, RoleRequester, ""},
		{`{"seq":2,"ticket":1,"kind":"inbound","detail":"participant"}`, RoleParticipant, ""},
		{`{"seq":3,"ticket":1,"kind":"inbound","detail":"other"}`, RoleOther, ""},
		{`{"seq":4,"ticket":1,"kind":"inbound","detail":"agent"}`, RoleAgent, ""},
		{`{"seq":5,"ticket":1,"kind":"inbound","detail":"note"}`, RoleNote, ""},
		{`{"seq":6,"ticket":1,"kind":"inbound","detail":"agent: answer held, newer messages on the ticket"}`, RoleHeld, ""},
		{`{"seq":7,"ticket":1,"kind":"inbound","detail":"agent: commands not understood, nothing applied"}`, RoleCommand, ""},
		{`{"seq":8,"ticket":1,"kind":"inbound","detail":"unverified agent address: not relayed (From may be forged)"}`, RoleUnverified, ""},
		{`{"seq":9,"ticket":1,"kind":"inbound","detail":"unverified sender: nothing applied (From may be forged)"}`, RoleUnverified, ""},
		{`{"seq":10,"ticket":1,"kind":"inbound","detail":"vendor"}`, RoleVendor, ""},
		{`{"seq":11,"ticket":1,"kind":"inbound","detail":"vendor, automatic mail"}`, RoleVendor, ""},
		{`{"seq":12,"ticket":1,"kind":"inbound","detail":"automatic mail"}`, RoleAutomatic, ""},
		{`{"seq":13,"ticket":1,"kind":"inbound","detail":"automatic mail: not relayed, not answered"}`, RoleAutomatic, ""},
		{`{"seq":14,"ticket":1,"kind":"inbound","detail":"bounce"}`, RoleBounce, ""},
		{`{"seq":15,"ticket":1,"kind":"inbound","detail":"bounce (not matched to a mail ticketd sent)"}`, RoleBounce, ""},
		{`{"seq":16,"ticket":1,"kind":"inbound","detail":"rating"}`, RoleRating, ""},
		{`{"seq":17,"ticket":1,"kind":"outbound","detail":"agent_bounce","recipients":["ana@example.com"]}`, "", templates.AgentBounce},
		{`{"seq":18,"ticket":1,"kind":"outbound","detail":"reply"}`, "", templates.Reply},
		// Written with a role: Detail is prose and changes nothing.
		{`{"seq":19,"ticket":1,"kind":"inbound","role":"requester","detail":"agent"}`, RoleRequester, ""},
		{`{"seq":20,"ticket":1,"kind":"outbound","template":"ack","detail":"reply"}`, "", templates.Ack},
		// Other kinds have neither.
		{`{"seq":21,"ticket":1,"kind":"status","detail":"agent"}`, "", ""},
	} {
		var e Event
		if err := json.Unmarshal([]byte(tt.json), &e); err != nil {
			t.Fatalf("%s: %v", tt.json, err)
		}
		if e.Role != tt.role || e.Template != tt.template {
			t.Errorf("%s: role %q template %q, want %q %q", tt.json, e.Role, e.Template, tt.role, tt.template)
		}
		var raw map[string]any
		json.Unmarshal([]byte(tt.json), &raw)
		if d, _ := raw["detail"].(string); e.Detail != d || e.Seq == 0 || e.Kind == "" {
			t.Errorf("%s: read as %+v", tt.json, e)
		}
	}
}

// TestOldTimelineReadsAsBefore: a ticket whose timeline was written in
// the old format (roles in Detail) gives the same escalation history and
// public conversation as before: the requester by name, the agents' own
// mail without commands, everyone else labelled by role, and only the
// requester's side and the relayed answers in public.
func TestOldTimelineReadsAsBefore(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	old := []string{
		`{"kind":"inbound","actor":"pedro@client.com","text":"Sigue sin conectar."}`,
		`{"kind":"inbound","actor":"ana@example.com","detail":"agent","text":"#prioridad alta\nReinstale el cliente."}`,
		`{"kind":"outbound","detail":"reply","recipients":["pedro@client.com"]}`,
		`{"kind":"inbound","actor":"luis@example.com","detail":"note","text":"#nota clave en el post-it"}`,
		`{"kind":"inbound","actor":"ana@example.com","detail":"agent: answer held, newer messages on the ticket","text":"Respuesta retenida."}`,
		`{"kind":"inbound","actor":"soporte@vendor.test","detail":"vendor, automatic mail","text":"Caso 8812 abierto."}`,
		`{"kind":"inbound","actor":"ana@example.com","detail":"unverified agent address: not relayed (From may be forged)","text":"Falso."}`,
		`{"kind":"inbound","actor":"extra@otro.test","detail":"other","text":"Yo también."}`,
	}
	err := f.store.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		for _, o := range old {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			// As the old code wrote them: no role, no template.
			rec := strings.Replace(o, `{`, `{"ticket":1,"time":"2026-03-02T10:00:00Z","seq":`+strconv.FormatUint(seq, 10)+`,`, 1)
			if err := b.Put(append(u64(1), u64(seq)...), []byte(rec)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	internal := f.history(1, false)
	for _, want := range []string{
		"pedro@client.com\nSigue sin conectar.",
		"ana@example.com\nReinstale el cliente.",
		"luis@example.com (nota interna)\nclave en el post-it",
		"ana@example.com (agente: respuesta retenida, había mensajes más nuevos)\nRespuesta retenida.",
		"soporte@vendor.test (proveedor)\nCaso 8812 abierto.",
		"ana@example.com (remitente de agente sin verificar: no reenviado)\nFalso.",
		"extra@otro.test (otra persona)\nYo también.",
	} {
		if !strings.Contains(internal, want) {
			t.Errorf("internal history lacks %q:\n%s", want, internal)
		}
	}
	if strings.Contains(internal, "#prioridad") || strings.Contains(internal, "#nota") {
		t.Errorf("internal history shows commands:\n%s", internal)
	}
	public := f.history(1, true)
	for _, want := range []string{"Sigue sin conectar.", "Reinstale el cliente."} {
		if !strings.Contains(public, want) {
			t.Errorf("public history lacks %q:\n%s", want, public)
		}
	}
	for _, bad := range []string{"post-it", "Respuesta retenida", "8812", "Falso", "Yo también", "ana@example.com"} {
		if strings.Contains(public, bad) {
			t.Errorf("public history carries %q:\n%s", bad, public)
		}
	}
}
