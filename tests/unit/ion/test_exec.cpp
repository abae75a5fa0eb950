// The executor and the embedding API.
#include "capture_os.h"

#include <catch2/catch.hpp>

#include <thread>

TEST_CASE("control flow and scopes", "[ion][exec]") {
    CHECK(run_ion("for i in 1..4\n if test $i -eq 2; continue; end\n echo $i\nend") == "1\n3\n");
    CHECK(run_ion("let a = 0\nwhile test $a -lt 3\n let a += 1\nend\necho $a") == "3\n");
    CHECK(run_ion("match b\n case a; echo A\n case [b c]; echo BC\n case _; echo other\nend") == "BC\n");
    CHECK(run_ion("if true\n let inner = 1\nend\necho $inner") ==
          "ion: expansion error: Variable \"inner\" does not exist\n");
}

TEST_CASE("functions: typed arguments, return, recursion limit", "[ion][exec]") {
    CHECK(run_ion("fn add a:int b:int\n echo $((a + b))\nend\nadd 2 3") == "5\n");
    CHECK(run_ion("fn f n:int; echo $n; end\nlet v = x\nf $v") ==
          "ion: function error: argument has invalid type: expected int, found value '$v'\n");
    CHECK(run_ion("fn r; return 3; end; r; echo $?") == "3\n");
    std::string out = run_ion("fn loop; loop; end; loop");
    CHECK(out.find("maximum recursion depth") != std::string::npos);
}

TEST_CASE("pipelines mix builtins, functions and programs", "[ion][exec]") {
    CHECK(run_ion("fn sq; read x; echo $((x * x)); end; echo 7 | sq") == "49\n");
    // Programs write to the real stdout; $(..) brings their output back.
    CHECK(run_ion("echo $(echo b a | tr ' ' '\\n' | sort | cat)") == "a\nb\n");
    CHECK(run_ion("echo $(echo one | cat <<< two)") == "one\ntwo\n");
    CHECK(run_ion("echo $(printf 'x\\n\\n')") == "x\n");
    CHECK(run_ion("false | true; echo $?; set -p; false | true; echo $?") == "0\n1\n");
    CHECK(run_ion("im_not_a_command_xyz") == "ion: pipeline execution error: command not found: im_not_a_command_xyz\n");
}

TEST_CASE("redirections write and read files", "[ion][exec]") {
    char tmpl[] = "/tmp/ion-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    CHECK(run_ion("cd " + dir + "\necho hi > f\necho more >> f\necho $(cat < f)\nls nope ^> err\n"
                  "echo $(cat err | wc -l)\ncd /tmp") == "hi\nmore\n1\n");
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("embedding: extra builtins see args and write through the Os", "[ion][embed]") {
    CaptureOs os;
    ion::Shell sh(os);
    sh.register_builtin("greet", [](ion::Shell&, std::span<const std::string> args, ion::Io& io) {
        io.out->write("hello " + (args.size() > 1 ? args[1] : std::string("?")) + "\n");
        return args.size() > 1 ? 0 : 2;
    });
    sh.set_var("who", "sim");
    CHECK(sh.run_string("echo $(greet $who | tr a-z A-Z); greet; echo $?") == 0);
    CHECK(os.out == "HELLO SIM\nhello ?\n2\n");
    CHECK(sh.run_string("echo $(greet x)") == 0);
    CHECK(os.out.ends_with("hello x\n"));
}

TEST_CASE("a runaway loop stops when interrupted", "[ion][embed]") {
    CaptureOs os;
    ion::Shell sh(os);
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        sh.interrupt();
    });
    int st = sh.run_string("while true; let x = 1; end");
    t.join();
    CHECK(st == 130);
    CHECK(os.err == "ion: interrupted\n");
}

TEST_CASE("huge expansions are bounded", "[ion][exec]") {
    ion::ShellOptions o;
    o.max_array_len = 1000;
    CaptureOs os;
    ion::Shell sh(os, o);
    sh.run_string("for i in 1..100000; end");
    CHECK(os.err.find("too") != std::string::npos);
}

TEST_CASE("$(..) leaves the shell's variables, environment and cwd as they were", "[ion][exec]") {
    CHECK(run_ion("let x = 1\nlet y = $(let x = 2; echo $x)\necho $x $y") == "1 2\n");
    CHECK(run_ion("let a = [1]\necho $(let a ++= 2; echo @a)\necho @a") == "1 2\n1\n");
    CHECK(run_ion("let m:hmap[str] = [k=v]\necho $(let m[k] = w; echo @m[k])\necho @m[k]") == "w\nv\n");
    CHECK(run_ion("let d = 1\necho $(drop d; echo gone)\necho $d") == "gone\n1\n");
    CHECK(run_ion("echo $(alias ll = 'echo aliased'; ll)\nll") ==
          "aliased\nion: pipeline execution error: command not found: ll\n");
    // Nested: the inner substitution's change is undone before the outer one's.
    CHECK(run_ion("let v = a\necho $(let v = b; echo $(let v = c; echo $v) $v)\necho $v") == "c b\na\n");
    // Its own new variables stay inside it too.
    CHECK(run_ion("echo $(let fresh = 1; echo $fresh)\necho $fresh") ==
          "1\nion: expansion error: Variable \"fresh\" does not exist\n");

    REQUIRE(::getenv("ION_CAPTURE_LEAK") == nullptr);
    CHECK(run_ion("echo $(export ION_CAPTURE_LEAK = 1; echo $ION_CAPTURE_LEAK)") == "1\n");
    CHECK(::getenv("ION_CAPTURE_LEAK") == nullptr);

    char before[4096];
    REQUIRE(::getcwd(before, sizeof before));
    CHECK(run_ion("cd /\necho $(cd /tmp; echo $PWD)\necho $PWD") == "/tmp\n/\n");
    char after[4096];
    REQUIRE(::getcwd(after, sizeof after));
    CHECK(std::string(after) == "/");
    REQUIRE(::chdir(before) == 0);
}
