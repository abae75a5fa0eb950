#include "daemons/ptyd/PtyScheme.h"

#include <algorithm>
#include <csignal>
#include <cstring>

namespace redox::ptyd {

// Input bytes held for the slave at most (beyond it input is dropped, as a
// full tty queue does).
static constexpr size_t kQueueLimit = 64 * 1024;

Result<PtyScheme::Handle*> PtyScheme::handle(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return &it->second;
}

Result<OpenResult> PtyScheme::open(std::string_view path, uint64_t, uint16_t, const CallerCtx&) {
    std::string name(path);
    while (!name.empty() && name.front() == '/') name.erase(0, 1);
    while (!name.empty() && name.back() == '/') name.pop_back();
    if (name == "ptmx") {
        uint64_t pty = m_next_pty++;
        m_ptys[pty].handles = 1;
        uint64_t id = m_next_handle++;
        m_handles[id] = Handle{Kind::Master, pty};
        return OpenResult{id, 0};
    }
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) return err(ENOENT_);
    auto it = m_ptys.find(std::stoull(name));
    if (it == m_ptys.end()) return err(ENOENT_);
    if (!it->second.master_open) return err(EIO_);
    if (it->second.locked) return err(EACCES_);
    it->second.handles++;
    it->second.slaves++;
    it->second.slave_opened = true;
    uint64_t id = m_next_handle++;
    m_handles[id] = Handle{Kind::Slave, it->first};
    return OpenResult{id, 0};
}

Result<OpenResult> PtyScheme::dup(uint64_t id, std::string_view buf, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    Kind kind;
    if (buf == "pgrp") kind = Kind::Pgrp;
    else if (buf == "termios") kind = Kind::Termios;
    else if (buf == "winsize") kind = Kind::Winsize;
    else if (buf == "ptlock") kind = Kind::Ptlock;
    else if (buf == "ptsname") kind = Kind::Ptsname;
    else return err(EINVAL_);
    uint64_t pty = h->pty;
    m_ptys[pty].handles++;
    uint64_t nid = m_next_handle++;
    m_handles[nid] = Handle{kind, pty};
    return OpenResult{nid, 0};
}

void PtyScheme::wake(uint64_t pty_id, Kind kind, uint32_t flags) {
    for (auto& [id, h] : m_handles)
        if (h.pty == pty_id && h.kind == kind) post_fevent(id, flags);
}

void PtyScheme::signal_group(Pty& p, int sig) {
    if (p.pgrp != 0) (void)sys::kill(-int(p.pgrp), sig);
}

void PtyScheme::output(Pty& p, std::span<const uint8_t> bytes) {
    bool onlcr = (p.termios.c_oflag & OPOST) && (p.termios.c_oflag & ONLCR);
    for (uint8_t c : bytes) {
        if (c == '\n' && onlcr) p.to_master.push_back('\r');
        p.to_master.push_back(c);
    }
}

void PtyScheme::echo(Pty& p, std::string_view s) {
    if (!(p.termios.c_lflag & ECHO)) return;
    output(p, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// One byte typed at the terminal (written to the master).
void PtyScheme::input(uint64_t pty_id, Pty& p, uint8_t c) {
    const Termios& t = p.termios;
    auto ctl_echo = [&](uint8_t ch) {
        if (t.c_lflag & ECHOCTL) echo(p, std::string{'^', char(ch ^ 0x40)});
        else echo(p, std::string(1, char(ch)));
    };
    if (t.c_lflag & ISIG) {
        int sig = c == t.c_cc[VINTR] ? SIGINT : c == t.c_cc[VQUIT] ? SIGQUIT : c == t.c_cc[VSUSP] ? SIGTSTP : 0;
        if (sig && c != 0) {
            p.line.clear();
            ctl_echo(c);
            echo(p, "\n");
            signal_group(p, sig);
            return;
        }
    }
    if (c == '\r' && (t.c_iflag & ICRNL)) c = '\n';
    if (!(t.c_lflag & ICANON)) {
        if (p.to_slave.size() < kQueueLimit) p.to_slave.push_back(c);
        echo(p, std::string(1, char(c)));
        wake(pty_id, Kind::Slave, EVENT_READ);
        return;
    }
    if (c == t.c_cc[VERASE] || c == '\b') {
        if (!p.line.empty()) {
            p.line.pop_back();
            if (t.c_lflag & ECHOE) echo(p, "\b \b");
        }
        return;
    }
    if (c == t.c_cc[VKILL]) {
        if (t.c_lflag & ECHOK)
            for (size_t i = 0; i < p.line.size(); ++i) echo(p, "\b \b");
        p.line.clear();
        return;
    }
    bool eof = c == t.c_cc[VEOF];
    if (!eof) {
        p.line += char(c);
        if (c == '\n') echo(p, "\n");
        else if (c < 0x20 && c != '\t') ctl_echo(c);
        else echo(p, std::string(1, char(c)));
    }
    if (eof || c == '\n') {
        if (eof && p.line.empty()) {
            p.line_ends.push_back(0);
        } else if (p.to_slave.size() + p.line.size() <= kQueueLimit) {
            p.to_slave.insert(p.to_slave.end(), p.line.begin(), p.line.end());
            p.line_ends.push_back(p.line.size());
        }
        p.line.clear();
        wake(pty_id, Kind::Slave, EVENT_READ);
    }
}

Result<size_t> PtyScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    Pty& p = m_ptys[h->pty];
    switch (h->kind) {
    case Kind::Master: {
        if (p.to_master.empty()) return err(p.slave_opened && p.slaves == 0 ? EIO_ : EWOULDBLOCK_);
        size_t n = std::min(buf.size(), p.to_master.size());
        std::copy_n(p.to_master.begin(), n, buf.begin());
        p.to_master.erase(p.to_master.begin(), p.to_master.begin() + long(n));
        return n;
    }
    case Kind::Slave: {
        if (p.termios.c_lflag & ICANON) {
            if (p.line_ends.empty()) return p.master_open ? err(EWOULDBLOCK_) : Result<size_t>(0);
            size_t len = p.line_ends.front();
            if (len == 0) {  // an end of file typed on an empty line
                p.line_ends.pop_front();
                return 0;
            }
            size_t n = std::min(buf.size(), len);
            std::copy_n(p.to_slave.begin(), n, buf.begin());
            p.to_slave.erase(p.to_slave.begin(), p.to_slave.begin() + long(n));
            if (n == len) p.line_ends.pop_front();
            else p.line_ends.front() -= n;
            return n;
        }
        if (p.to_slave.empty()) return p.master_open ? err(EWOULDBLOCK_) : Result<size_t>(0);
        size_t n = std::min(buf.size(), p.to_slave.size());
        std::copy_n(p.to_slave.begin(), n, buf.begin());
        p.to_slave.erase(p.to_slave.begin(), p.to_slave.begin() + long(n));
        p.line_ends.clear();
        return n;
    }
    default:
        return read_control(*h, p, buf);
    }
}

Result<size_t> PtyScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    uint64_t pty = h->pty;
    Pty& p = m_ptys[pty];
    switch (h->kind) {
    case Kind::Master:
        for (uint8_t c : buf) input(pty, p, c);
        if (!p.to_master.empty()) wake(pty, Kind::Master, EVENT_READ);
        return buf.size();
    case Kind::Slave:
        if (!p.master_open) return err(EIO_);
        output(p, buf);
        wake(pty, Kind::Master, EVENT_READ);
        return buf.size();
    default:
        return write_control(*h, p, buf);
    }
}

Result<size_t> PtyScheme::read_control(Handle& h, Pty& p, std::span<uint8_t> buf) {
    auto put = [&](const void* data, size_t len) -> Result<size_t> {
        if (buf.size() < len) return err(EINVAL_);
        std::memcpy(buf.data(), data, len);
        return len;
    };
    switch (h.kind) {
    case Kind::Pgrp: return put(&p.pgrp, sizeof p.pgrp);
    case Kind::Termios: return put(&p.termios, sizeof p.termios);
    case Kind::Winsize: return put(&p.winsize, sizeof p.winsize);
    case Kind::Ptlock: { uint32_t v = p.locked; return put(&v, sizeof v); }
    case Kind::Ptsname: {
        std::string s = slave_path(h.pty);
        size_t n = std::min(buf.size(), s.size());
        std::memcpy(buf.data(), s.data(), n);
        return n;
    }
    default: return err(EBADF_);
    }
}

Result<size_t> PtyScheme::write_control(Handle& h, Pty& p, std::span<const uint8_t> buf) {
    switch (h.kind) {
    case Kind::Pgrp:
        if (buf.size() == 8) std::memcpy(&p.pgrp, buf.data(), 8);
        else if (buf.size() == 4) { uint32_t v; std::memcpy(&v, buf.data(), 4); p.pgrp = v; }
        else return err(EINVAL_);
        return buf.size();
    case Kind::Termios: {
        if (buf.size() < offsetof(Termios, c_ispeed)) return err(EINVAL_);
        Termios t = p.termios;
        std::memcpy(&t, buf.data(), std::min(buf.size(), sizeof t));
        bool was_canon = p.termios.c_lflag & ICANON;
        p.termios = t;
        // Leaving canonical mode hands the line being edited to the reader.
        if (was_canon && !(t.c_lflag & ICANON) && !p.line.empty()) {
            p.to_slave.insert(p.to_slave.end(), p.line.begin(), p.line.end());
            p.line.clear();
        }
        if (!was_canon && (t.c_lflag & ICANON) && !p.to_slave.empty()) p.line_ends = {p.to_slave.size()};
        notify_ready();
        return std::min(buf.size(), sizeof t);
    }
    case Kind::Winsize:
        if (buf.size() != sizeof(Winsize)) return err(EINVAL_);
        std::memcpy(&p.winsize, buf.data(), sizeof(Winsize));
        signal_group(p, SIGWINCH);
        return buf.size();
    case Kind::Ptlock: {
        if (buf.size() != 4) return err(EINVAL_);
        uint32_t v;
        std::memcpy(&v, buf.data(), 4);
        p.locked = v != 0;
        return 4;
    }
    default: return err(EBADF_);
    }
}

Result<uint32_t> PtyScheme::fevent(uint64_t id, uint32_t flags) {
    Handle* h = TRY(handle(id));
    Pty& p = m_ptys[h->pty];
    uint32_t ready = EVENT_WRITE;
    if (h->kind == Kind::Master && !p.to_master.empty()) ready |= EVENT_READ;
    if (h->kind == Kind::Slave) {
        bool canon = p.termios.c_lflag & ICANON;
        if ((canon ? !p.line_ends.empty() : !p.to_slave.empty()) || !p.master_open) ready |= EVENT_READ;
    }
    return ready & flags;
}

Result<size_t> PtyScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    Handle* h = TRY(handle(id));
    return put_path(buf, slave_path(h->pty));
}

Result<void> PtyScheme::fstat(uint64_t id, Stat& st) {
    TRY(handle(id));
    st = Stat{};
    st.st_mode = MODE_CHR | 0620;
    st.st_blksize = 4096;
    return {};
}

Result<uint64_t> PtyScheme::fcntl(uint64_t id, uint64_t, uint64_t) {
    TRY(handle(id));
    return 0;
}

void PtyScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    Handle h = it->second;
    m_handles.erase(it);
    auto pit = m_ptys.find(h.pty);
    if (pit == m_ptys.end()) return;
    Pty& p = pit->second;
    if (h.kind == Kind::Master) {
        // Hang-up: the session loses its terminal, readers see end of file.
        p.master_open = false;
        signal_group(p, SIGHUP);
        wake(h.pty, Kind::Slave, EVENT_READ);
        notify_ready();
    }
    if (h.kind == Kind::Slave && --p.slaves == 0) {
        wake(h.pty, Kind::Master, EVENT_READ);
        notify_ready();  // parked master reads now see EIO
    }
    if (--p.handles == 0) m_ptys.erase(pit);
}

} // namespace redox::ptyd
