package tickets

import "strings"

// agentText is an agent's mail taken apart: the command lines at its top
// and the text meant for people. For an internal note, text is what the
// note says: the words on the #note line itself and the text under the
// commands.
type agentText struct {
	cmds []command
	text string
}

// parseAgentText splits an agent's new text into commands and text.
func parseAgentText(s string) agentText {
	cmds, rest := parseCommands(s)
	w := agentText{cmds: cmds, text: strings.TrimSpace(rest)}
	if c, ok := findCommand(cmds, "note"); ok {
		w.text = joinText(c.arg, w.text)
	}
	return w
}

// findCommand returns the first command called name.
func findCommand(cmds []command, name string) (command, bool) {
	for _, c := range cmds {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// joinText joins a command's argument and the text under it, as one text.
func joinText(arg, text string) string {
	arg, text = strings.TrimSpace(arg), strings.TrimSpace(text)
	switch {
	case arg == "":
		return text
	case text == "":
		return arg
	}
	return arg + "\n" + text
}
