// The syntax tree of an Ion script. Words stay as their source text (quotes
// and sigils included); the expander interprets them each time they run.
// This header and the parser avoid <expected> so that clang 14 can build the
// parser fuzz target.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace ion {

enum class RedirKind { Out, Append, Err, ErrAppend, Both, BothAppend, In, HereString };

struct Redirect {
    RedirKind kind;
    std::string target;  // a word, expanded at run time
};

struct Command {
    std::vector<std::string> words;
    std::vector<Redirect> redirs;
    int line = 0, col = 0;
};

enum class PipeKind { Out, Err, Both };

struct Pipeline {
    std::vector<Command> cmds;
    std::vector<PipeKind> pipes;  // pipes[i] joins cmds[i] and cmds[i+1]
    bool negate = false;          // `not` / `!`
    bool background = false;      // `&`
    bool disown = false;          // `&!`
};

enum class ChainOp { And, Or };
enum class ChainPrefix { None, And, Or };  // statement-leading `and` / `or`

struct Chain {
    std::vector<Pipeline> items;
    std::vector<ChainOp> ops;  // ops[i] joins items[i] and items[i+1]
    ChainPrefix prefix = ChainPrefix::None;
    std::string source;        // the statement's text, for alias expansion and `-x`
};

struct Stmt;
using Block = std::vector<Stmt>;

struct MatchCase {
    std::vector<std::string> patterns;  // empty: `case _`
    bool has_guard = false;
    Chain guard;
    Block body;
};

struct FnDef {
    std::string name;
    std::vector<std::string> params;  // "name" or "name:type"
    std::string description;
    Block body;
};

struct Stmt {
    enum Kind { Run, Let, Export, If, While, For, Match, Fn, Break, Continue, Return, Time };
    Kind kind = Run;
    int line = 0, col = 0;
    Chain chain;                      // Run, Time
    std::vector<std::string> words;   // Let/Export args, For variables, Match value, Return value
    std::vector<std::string> items;   // For items
    std::vector<Chain> conds;         // If (one per branch), While (one)
    std::vector<Block> blocks;        // If branches (conds.size() or +1 for else), While/For body
    std::vector<MatchCase> cases;
    std::shared_ptr<const FnDef> fn;  // shared: the function outlives the script that defined it
    // What the executor worked out once about this statement (e.g. the
    // targets and operator of a `let`), so loops do not redo it.
    mutable std::shared_ptr<const void> plan;
};

}  // namespace ion
