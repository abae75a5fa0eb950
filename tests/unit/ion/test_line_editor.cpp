// The sim console's line editor, driven by keystrokes from memory, and the
// job table of a shell without a terminal (`&`, jobs, wait, fg, disown).
#include "capture_os.h"
#include "ion/line_editor.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

namespace {

// Keys come from a string; no terminal, so the editor runs without raw mode.
struct KeysOs : CaptureOs {
    std::string keys;
    size_t pos = 0;
    redox::Result<size_t> read(int fd, std::span<char> buf) override {
        if (fd != 0) return HostOs::read(fd, buf);
        if (pos >= keys.size() || buf.empty()) return 0;
        buf[0] = keys[pos++];
        return 1;
    }
};

using Outcome = ion::LineEditor::Outcome;

Outcome edit(KeysOs& os, ion::LineEditor& ed, std::string keys, std::string& line) {
    os.keys = std::move(keys);
    os.pos = 0;
    return ed.read_line("$ ", line);
}

const std::string kLeft = "\x1b[D", kRight = "\x1b[C", kUp = "\x1b[A", kDown = "\x1b[B", kDel = "\x1b[3~";

}  // namespace

TEST_CASE("line editor: cursor moves, backspace, Ctrl-A/E, delete", "[ion][editor]") {
    KeysOs os;
    ion::LineEditor ed(os, 0, 1);
    std::string line;
    REQUIRE(edit(os, ed, "cho edXted" + kLeft + kLeft + kLeft + "\x7f" + "i\x01" + "e\x05!\r", line) == Outcome::Line);
    CHECK(line == "echo edited!");
    REQUIRE(edit(os, ed, "abcd\x01" + kRight + kDel + "\x04\r", line) == Outcome::Line);
    CHECK(line == "ad");
    REQUIRE(edit(os, ed, "one two three\x17\x17" "four\x01\x0b" "five\r", line) == Outcome::Line);
    CHECK(line == "five");
    REQUIRE(edit(os, ed, "x\xc3\xa9y" + kLeft + "\x7fz\r", line) == Outcome::Line);
    CHECK(line == "xzy");
    CHECK(os.out.find("$ ") == 0);
}

TEST_CASE("line editor: history with Up/Down and Ctrl-P/N", "[ion][editor]") {
    KeysOs os;
    ion::LineEditor ed(os, 0, 1);
    ed.add_history("first");
    ed.add_history("second");
    ed.add_history("second");  // a repeat is kept once
    ed.add_history("   ");     // blank lines are not kept
    CHECK(ed.history().size() == 2);
    std::string line;
    REQUIRE(edit(os, ed, kUp + kUp + "\r", line) == Outcome::Line);
    CHECK(line == "first");
    REQUIRE(edit(os, ed, "new" + kUp + kDown + "!\r", line) == Outcome::Line);
    CHECK(line == "new!");
    REQUIRE(edit(os, ed, "\x10\x10\x10\x0e\r", line) == Outcome::Line);
    CHECK(line == "second");
}

TEST_CASE("line editor: the history file is made, appended to and loaded", "[ion][editor]") {
    char dir[] = "/tmp/ion-history-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/share/ion/history";
    {
        KeysOs os;
        ion::LineEditor ed(os, 0, 1);
        ed.use_history_file(path);
        CHECK(ed.history().empty());
        ed.add_history("echo one");
        ed.add_history("if true\necho two\nend");  // spans lines: memory only
        ed.add_history("echo three");
    }
    KeysOs os;
    ion::LineEditor ed(os, 0, 1);
    ed.use_history_file(path);
    CHECK(ed.history() == std::vector<std::string>{"echo one", "echo three"});
    std::string line;
    REQUIRE(edit(os, ed, kUp + kUp + "\r", line) == Outcome::Line);
    CHECK(line == "echo one");
    std::filesystem::remove_all(dir);
}

TEST_CASE("line editor: Ctrl-C, Ctrl-D and the end of input", "[ion][editor]") {
    KeysOs os;
    ion::LineEditor ed(os, 0, 1);
    std::string line;
    CHECK(edit(os, ed, "half a line\x03", line) == Outcome::Cancelled);
    CHECK(os.out.ends_with("^C\r\n"));
    CHECK(edit(os, ed, "\x04", line) == Outcome::EndOfInput);
    CHECK(edit(os, ed, "", line) == Outcome::EndOfInput);
    REQUIRE(edit(os, ed, "unfinished", line) == Outcome::Line);  // input ends after text
    CHECK(line == "unfinished");
}

TEST_CASE("line editor: Tab completes a unique match, lists several", "[ion][editor]") {
    KeysOs os;
    ion::LineEditor ed(os, 0, 1);
    ed.set_completer([](const std::string& line, size_t start) {
        std::string word = line.substr(start);
        std::vector<std::string> all = {"hello", "help", "world"}, out;
        for (auto& w : all)
            if (w.starts_with(word)) out.push_back(w);
        return out;
    });
    std::string line;
    REQUIRE(edit(os, ed, "echo wo\t\r", line) == Outcome::Line);
    CHECK(line == "echo world ");
    os.out.clear();
    REQUIRE(edit(os, ed, "h\t\t\r", line) == Outcome::Line);
    CHECK(line == "hel");
    CHECK(os.out.find("hello  help") != std::string::npos);
}

TEST_CASE("jobs without a terminal: &, jobs, wait, fg, disown", "[ion][jobs]") {
    std::string out = run_ion("sleep 0.2 &\njobs\nwait\necho waited $?\njobs\n");
    CHECK(std::regex_search(out, std::regex(R"(^\[0\] [0-9]+ Running\tsleep 0\.2\nwaited 0\n$)")));
    CHECK(run_ion("sh -c 'exit 3' &\nwait\necho $?\n") == "3\n");
    CHECK(run_ion("sleep 0.1 &\nsh -c 'sleep 0.1; exit 4' &\nfg 0\necho fg $?\nfg\necho fg $?\n") ==
          "sleep 0.1\nfg 0\nsh -c sleep 0.1; exit 4\nfg 4\n");
    CHECK(run_ion("fg\necho $?\nbg 3\n") == "ion: fg: no jobs\n1\nion: bg: no jobs\n");
    CHECK(run_ion("sleep 5 &\ndisown 0\njobs\necho left\ndisown\ndisown 7\n") ==
          "left\nion: disown: no job given (a job id, -a or -r)\nion: disown: no such job: 7\n");
    CHECK(run_ion("sleep 5 &\nsleep 5 &\ndisown -a\njobs\necho none\n") == "none\n");
}
