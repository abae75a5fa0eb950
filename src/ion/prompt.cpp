#include "ion/prompt.h"

#include "ion/interp.h"
#include "ion/parser.h"

namespace ion {

std::string prompt_text(Interp& in) {
    try {
        size_t idx;
        if (in.find_fn("PROMPT", &idx)) return in.capture("PROMPT");
        std::string p = in.string_var("PROMPT");
        std::string quoted = "\"";
        for (char c : p) {
            if (c == '"') quoted += '\\';
            quoted += c;
        }
        return in.expand_string(quoted + "\"");
    } catch (const Fatal&) {
        // A prompt that cannot expand (e.g. $USER unset) must not spam every line.
        return "ion$ ";
    }
}

bool needs_more_input(const std::string& pending) {
    Block probe;
    SyntaxError e;
    if (!parse_script(pending, probe, e) && e.incomplete) return true;
    return pending.size() >= 2 && pending.back() == '\n' && pending[pending.size() - 2] == '\\';
}

std::string history_file(Interp& in) {
    if (Value* v = in.find_var("HISTFILE")) return v->joined();
    const char* xdg = in.os.getenv("XDG_DATA_HOME");
    const char* home = in.os.getenv("HOME");
    std::string base = xdg && *xdg ? std::string(xdg) : std::string(home ? home : ".") + "/.local/share";
    return base + "/ion/history";
}

}  // namespace ion
