package tickets

import "strings"

// agentText is an agent's mail taken apart: the command lines at its top,
// the text meant for people, and a knowledge-base article.
//
// For an internal note, text is what the note says: the words on the
// #note line itself and the text under the commands.
//
// With #kb the mail writes an article and, by itself, nothing reaches the
// requester: an article is written for everyone, not as an answer to
// this requester. "#kb" among the command lines makes its own words and
// the text under the commands the article. To answer the requester in the
// same mail, the agent writes the answer first and the "#kb" line under
// it: the text above that line is the answer (relayed as usual), the line's
// words and the text below it the article. An empty article means the
// ticket's last public answer (this mail's, when it has one).
type agentText struct {
	cmds    []command
	text    string
	kb      bool
	article string
}

// parseAgentText splits an agent's new text into commands, text and article.
func parseAgentText(s string) agentText {
	cmds, rest := parseCommands(s)
	w := agentText{cmds: cmds, text: strings.TrimSpace(rest)}
	if c, ok := findCommand(cmds, "kb"); ok {
		w.kb, w.article, w.text = true, joinText(c.arg, w.text), ""
	} else if above, c, below, ok := cutKBBlock(w.text); ok {
		w.cmds = append(w.cmds, c)
		w.kb, w.article, w.text = true, joinText(c.arg, below), above
	}
	if c, ok := findCommand(cmds, "note"); ok {
		w.text = joinText(c.arg, w.text)
	}
	return w
}

// cutKBBlock finds the first "#kb" line under an answer: the text above
// it, the command, and the text below it. Only #kb counts below text; any
// other "#" line there is text.
func cutKBBlock(text string) (above string, kb command, below string, ok bool) {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		l := strings.TrimSpace(line)
		if i == 0 || !isCommandLine(l) {
			continue
		}
		cmds := commandsOnLine(l)
		if len(cmds) != 1 || cmds[0].name != "kb" {
			continue
		}
		return strings.TrimSpace(strings.Join(lines[:i], "\n")), cmds[0], strings.TrimSpace(strings.Join(lines[i+1:], "\n")), true
	}
	return "", command{}, "", false
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
