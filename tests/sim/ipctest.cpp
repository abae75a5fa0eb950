// ipctest: ipcd's schemes (chan, shm, uds_stream, uds_dgram) between two sim
// processes. Run as `ipctest chan|shm|uds|dgram` inside a sim; prints "ok NAME" or
// "FAIL NAME: why" and exits 1. The child roles re-run this program.
#include "schemes/libredox.h"
#include "sim_check.h"

#include <cstring>
#include <string>
#include <vector>

using namespace redox;
using namespace simcheck;

namespace {


std::string self_path;

int spawn_role(const std::string& role) {
    sys::SpawnSpec s;
    s.path = self_path;
    s.argv = {"ipctest", role};
    return must(sys::spawn(s), "spawn " + role);
}

void wait_ok(int pid, const std::string& role) {
    auto [got, st] = must(sys::waitpid(pid, 0), "waitpid " + role);
    expect(got == pid && sys::exited(st) && sys::exit_code(st) == 0, role + " failed (status " + std::to_string(st) + ")");
}

std::string read_some(int fd, const std::string& what) {
    char buf[256];
    size_t n = must(sys::read(fd, buf, sizeof buf), what);
    return std::string(buf, n);
}

// Accept one connection, waiting up to 10 s for a client.
int accept_one(int listener) {
    for (int i = 0; i < 10000; ++i) {
        auto c = sys::dup(listener, "listen");
        if (c) return *c;
        if (c.error().errnum != EWOULDBLOCK_) fail("accept: " + c.error().message());
        (void)sys::sleep_ns(1'000'000);
    }
    fail("accept: no client connected within 10 s");
}

constexpr const char* kChan = "/scheme/chan/ipctest";

void t_chan() {
    expect_err(sys::open(kChan, O_RDWR_), ENOENT_, "connect to a missing name");
    int listener = must(sys::open(kChan, O_RDWR_ | O_CREAT_), "create named listener");
    expect_err(sys::open(kChan, O_RDWR_ | O_CREAT_ | O_EXCL_), EEXIST_, "O_CREAT|O_EXCL on a taken name");
    expect(must(sys::fpath(listener), "fpath") == "chan:ipctest", "listener fpath is chan:ipctest");
    expect_err(sys::dup(listener, "listen"), EWOULDBLOCK_, "accept with nobody waiting");

    // A client in another process: ping -> pong, then EOF and EPIPE once we close.
    int child = spawn_role("chan-client");
    int conn = accept_one(listener);
    expect(read_some(conn, "read ping") == "ping", "server got ping");
    must(sys::write_all(conn, "pong"), "write pong");
    expect(read_some(conn, "read ack") == "ack", "server got ack");
    must(sys::close(conn), "close server end");
    wait_ok(child, "chan-client");

    // O_CREAT alone on a taken name connects.
    int c2 = must(sys::open(kChan, O_RDWR_ | O_CREAT_), "O_CREAT connect");
    expect(must(sys::fevent(listener, EVENT_READ), "listener fevent") & EVENT_READ, "listener readable with a client waiting");
    int s2 = accept_one(listener);
    must(sys::write_all(c2, "x"), "client write");
    expect(read_some(s2, "server read") == "x", "same-process connection carries data");
    must(sys::close(s2), "close");
    char b;
    expect(must(sys::read(c2, &b, 1), "read after peer close") == 0, "EOF after the peer closed");
    expect_err(sys::write(c2, "y", 1), EPIPE_, "write to a closed peer");
    must(sys::close(c2), "close client");

    // Unnamed listener: "connect" makes a client; naming it makes it reachable by path.
    int anon = must(sys::open("/scheme/chan/", O_RDWR_ | O_CREAT_), "create unnamed listener");
    int ac = must(sys::dup(anon, "connect"), "dup connect");
    int as = must(sys::dup(anon, "listen"), "dup listen");
    must(sys::write_all(as, "hello"), "write on accepted");
    expect(read_some(ac, "read on client") == "hello", "unnamed channel carries data");
    int named = must(sys::dup(anon, "ipctest-named"), "name the listener");
    expect_err(sys::dup(anon, "ipctest"), EINVAL_, "naming an already named listener");
    int nc = must(sys::open("/scheme/chan/ipctest-named", O_RDWR_), "connect by the new name");
    int ns = accept_one(named);
    must(sys::write_all(nc, "via name"), "write");
    expect(read_some(ns, "read") == "via name", "named-later listener works");
    for (int fd : {ac, as, nc, ns, named, anon}) must(sys::close(fd), "close");
    expect_err(sys::open("/scheme/chan/ipctest-named", O_RDWR_), ENOENT_, "name released with its last listener");

    // Closing the listener: its name is free again.
    must(sys::close(listener), "close listener");
    int again = must(sys::open(kChan, O_RDWR_ | O_CREAT_ | O_EXCL_), "name free after close");
    must(sys::close(again), "close");
}

void chan_client() {
    int c = must(sys::open(kChan, O_RDWR_), "client connect");
    must(sys::write_all(c, "ping"), "client write ping");
    expect(read_some(c, "client read pong") == "pong", "client got pong");
    must(sys::write_all(c, "ack"), "client write ack");
    // Blocks until the server closes, then EOF; writing now is EPIPE.
    char b;
    expect(must(sys::read(c, &b, 1), "client read eof") == 0, "client sees EOF");
    expect_err(sys::write(c, "z", 1), EPIPE_, "client write after server closed");
    must(sys::close(c), "client close");
}

constexpr const char* kShm = "/scheme/shm/ipctest";

void t_shm() {
    expect_err(sys::open(kShm, O_RDWR_), ENOENT_, "open a missing name without O_CREAT");
    int fd = must(sys::open(kShm, O_RDWR_ | O_CREAT_), "create");
    expect_err(sys::open(kShm, O_RDWR_ | O_CREAT_ | O_EXCL_), EEXIST_, "O_CREAT|O_EXCL on an existing name");
    must(sys::ftruncate(fd, 8192), "ftruncate");
    expect(must(sys::fstat(fd), "fstat").st_size == 8192, "size after ftruncate");
    auto map = must(sys::fmap(fd, 0, 8192, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap");
    auto* p = static_cast<char*>(map.data());
    std::strcpy(p, "from the parent");
    int child = spawn_role("shm-child");
    wait_ok(child, "shm-child");
    expect(std::strcmp(p + 4096, "from the child") == 0, "parent sees the child's bytes in its mapping");
    char buf[16] = {};
    expect(must(sys::pread(fd, buf, 14, 4096), "pread") == 14 && !std::memcmp(buf, "from the child", 14), "read sees the same bytes");
    must(sys::unlink(kShm), "unlink");
    expect_err(sys::open(kShm, O_RDWR_), ENOENT_, "open after unlink");
    expect_err(sys::unlink(kShm), ENOENT_, "second unlink");
    p[0] = 'F';  // the mapping outlives the name
    expect(must(sys::pread(fd, buf, 4, 0), "pread after unlink") == 4 && !std::memcmp(buf, "From", 4), "object lives on");
    must(sys::close(fd), "close");
}

void shm_child() {
    int fd = must(sys::open(kShm, O_RDWR_), "child open");
    expect(must(sys::fstat(fd), "child fstat").st_size == 8192, "child sees the size");
    auto map = must(sys::fmap(fd, 0, 8192, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "child fmap");
    auto* p = static_cast<char*>(map.data());
    expect(std::strcmp(p, "from the parent") == 0, "child sees the parent's bytes");
    std::strcpy(p + 4096, "from the child");
    must(sys::close(fd), "child close");
}


// uds: SYS_CALL socket verbs (metadata[0]), as ipcd's UdsScheme documents.
constexpr uint64_t kBind = 0, kConnect = 1, kSendMsg = 4, kRecvMsg = 5;
constexpr int EADDRINUSE_ = 98;

Result<size_t> sock_call(int fd, uint64_t verb, std::string& payload) {
    uint64_t meta[1] = {verb};
    return sys::call(fd, payload.data(), payload.size(), 0, meta);
}
void sock_verb(int fd, uint64_t verb, std::string arg, const std::string& what) {
    must(sock_call(fd, verb, arg), what);
}

struct Received {
    std::string data;
    uint64_t fds = 0;
    int32_t pid = -1;
    uint32_t uid = ~0u, gid = ~0u;
};
Received recv_msg(int fd) {
    std::string buf(512, '\0');
    size_t n = must(sock_call(fd, kRecvMsg, buf), "recvmsg");
    Received r;
    uint64_t len;
    expect(n >= 8, "recvmsg answer too short");
    std::memcpy(&len, buf.data(), 8);
    r.data = buf.substr(8, len);
    for (size_t off = 8 + len; off + 16 <= n;) {
        int32_t level, type;
        uint64_t clen;
        std::memcpy(&level, buf.data() + off, 4);
        std::memcpy(&type, buf.data() + off + 4, 4);
        std::memcpy(&clen, buf.data() + off + 8, 8);
        off += 16;
        if (type == 1 && clen == 8) std::memcpy(&r.fds, buf.data() + off, 8);
        if (type == 2 && clen == 12) {
            std::memcpy(&r.pid, buf.data() + off, 4);
            std::memcpy(&r.uid, buf.data() + off + 4, 4);
            std::memcpy(&r.gid, buf.data() + off + 8, 4);
        }
        off += clen;
    }
    return r;
}
void send_msg(int fd, const std::string& data, uint64_t fd_count) {
    std::string p(8, '\0');
    uint64_t len = data.size();
    std::memcpy(p.data(), &len, 8);
    p += data;
    if (fd_count) {
        int32_t level = 1, type = 1;
        uint64_t clen = 8;
        p.append(reinterpret_cast<const char*>(&level), 4);
        p.append(reinterpret_cast<const char*>(&type), 4);
        p.append(reinterpret_cast<const char*>(&clen), 8);
        p.append(reinterpret_cast<const char*>(&fd_count), 8);
    }
    must(sock_call(fd, kSendMsg, p), "sendmsg");
}

void t_uds() {
    int listener = must(sys::open("/scheme/uds_stream", O_RDWR_), "new stream socket");
    sock_verb(listener, kBind, "ipctest.sock", "bind");
    int other = must(sys::open("/scheme/uds_stream", O_RDWR_), "second socket");
    std::string name = "ipctest.sock";
    expect_err(sock_call(other, kBind, name), EADDRINUSE_, "bind to a taken name");
    std::string missing = "no-such.sock";
    expect_err(sock_call(other, kConnect, missing), ECONNREFUSED_, "connect to an unbound name");
    must(sys::close(other), "close");

    // The client sends the write end of its pipe with its credentials; we
    // write through that fd and the client reads it from its read end.
    int child = spawn_role("uds-client");
    int conn = accept_one(listener);
    Received m = recv_msg(conn);
    expect(m.data == "take this fd", "message data: '" + m.data + "'");
    expect(m.fds == 1, "SCM_RIGHTS announces one fd");
    expect(m.pid == child && m.uid == 0 && m.gid == 0, "credentials are the client's (pid " + std::to_string(m.pid) + ")");
    int passed = must(sys::recvfd(conn), "recvfd");
    must(sys::write_all(passed, "through the passed fd"), "write to the passed fd");
    must(sys::close(passed), "close passed fd");
    expect(read_some(conn, "read ack") == "got it", "client acknowledged over the stream");
    must(sys::close(conn), "close connection");
    wait_ok(child, "uds-client");
    must(sys::close(listener), "close listener");
}

void uds_client() {
    int s = must(sys::open("/scheme/uds_stream", O_RDWR_), "client socket");
    sock_verb(s, kConnect, "ipctest.sock", "connect");
    auto [rd, wr] = must(sys::pipe(), "pipe");
    must(sys::sendfd(s, wr), "sendfd");
    send_msg(s, "take this fd", 1);
    std::string got = must(sys::read_all(rd), "read pipe");
    expect(got == "through the passed fd", "pipe carried '" + got + "'");
    must(sys::write_all(s, "got it"), "write ack");
    char b;
    expect(must(sys::read(s, &b, 1), "read eof") == 0, "EOF once the server closed");
    expect_err(sys::write(s, "x", 1), EPIPE_, "write after the server closed");
    must(sys::close(s), "close");
}

void t_dgram() {
    int a = must(sys::open("/scheme/uds_dgram", O_RDWR_), "socket a");
    sock_verb(a, kBind, "ipctest.dg", "bind a");
    int b = must(sys::open("/scheme/uds_dgram", O_RDWR_), "socket b");
    sock_verb(b, kConnect, "ipctest.dg", "connect b");
    must(sys::write_all(b, "one"), "send one");
    must(sys::write_all(b, "two!"), "send two");
    expect(read_some(a, "recv") == "one", "first datagram alone");
    expect(read_some(a, "recv") == "two!", "second datagram alone");
    must(sys::write_all(a, "back"), "answer");
    expect(read_some(b, "recv answer") == "back", "the bound socket answers its connecter");
    must(sys::close(a), "close a");
    must(sys::close(b), "close b");
}

} // namespace

int main(int argc, char** argv) {
    self_path = argv[0];
    if (self_path.find('/') == std::string::npos) self_path = "/scheme/initfs/bin/ipctest";
    g_name = argc > 1 ? argv[1] : "";
    if (g_name == "chan") t_chan();
    else if (g_name == "shm") t_shm();
    else if (g_name == "uds") t_uds();
    else if (g_name == "dgram") t_dgram();
    else if (g_name == "uds-client") { uds_client(); sys::exit(0); }
    else if (g_name == "chan-client") { chan_client(); sys::exit(0); }
    else if (g_name == "shm-child") { shm_child(); sys::exit(0); }
    else {
        (void)sys::write_all(2, "usage: ipctest chan|shm|uds|dgram\n");
        sys::exit(2);
    }
    (void)sys::write_all(1, "ok " + g_name + "\n");
    sys::exit(0);
}
