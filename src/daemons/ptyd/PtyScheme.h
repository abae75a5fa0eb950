// pty: pseudo-terminals (ptyd).
//
// Paths: `ptmx` opens a new master; `N` opens the slave of pty N (ENOENT if
// there is none, EIO once its master is gone, EACCES while it is locked).
// dup of a master or slave with "pgrp", "termios", "winsize", "ptlock" or
// "ptsname" gives a control handle of the same pty:
//  - pgrp: read/write the foreground process group (a u64; 4-byte writes too);
//  - termios: read/write the Termios struct (Termios.h);
//  - winsize: read/write the Winsize struct;
//  - ptlock: write a u32, non-zero locks the slave against opening;
//  - ptsname: read the slave's path, `/scheme/pty/N`.
// Master writes are terminal input: with ICANON they are edited into lines
// (VERASE, VKILL; VEOF sends a line without its newline or, on an empty line,
// an end of file); with ISIG, VINTR/VQUIT/VSUSP send SIGINT/SIGQUIT/SIGTSTP
// to the foreground process group; with ECHO input is echoed to the master.
// Slave reads return one line at a time in canonical mode, whatever is there
// otherwise; slave writes are output for the master (OPOST|ONLCR: NL -> CR NL).
// Reads wait for data; fevent READ says data (or end of file) is there. Once
// a slave was opened and every slave handle is closed, master reads give EIO
// (as on Linux): the program on the terminal is gone.
// Anyone may open. Cost: one copy in and one out per direction.
#pragma once

#include "daemons/ptyd/Termios.h"
#include "schemes/server.h"

#include <deque>
#include <map>
#include <string>

namespace redox::ptyd {

class PtyScheme final : public SchemeServer {
public:
    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<OpenResult> dup(uint64_t id, std::string_view buf, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<uint64_t> fcntl(uint64_t id, uint64_t cmd, uint64_t arg) override;
    void on_close(uint64_t id) override;

private:
    enum class Kind { Master, Slave, Pgrp, Termios, Winsize, Ptlock, Ptsname };
    struct Handle {
        Kind kind;
        uint64_t pty;
    };
    struct Pty {
        Termios termios = default_termios();
        Winsize winsize{24, 80, 0, 0};
        uint64_t pgrp = 0;
        bool locked = false;
        bool master_open = true;
        size_t handles = 0;               // every handle on this pty
        size_t slaves = 0;                // open slave handles
        bool slave_opened = false;
        std::deque<uint8_t> to_master;    // output (and echo) for the master to read
        std::deque<uint8_t> to_slave;     // input ready for slave reads
        std::deque<size_t> line_ends;     // canonical mode: lengths of complete lines in to_slave (0: VEOF on an empty line)
        std::string line;                 // the line being edited (canonical mode)
    };

    Result<Handle*> handle(uint64_t id);
    void input(uint64_t pty_id, Pty& p, uint8_t c);
    void echo(Pty& p, std::string_view s);
    void output(Pty& p, std::span<const uint8_t> bytes);
    void signal_group(Pty& p, int sig);
    void wake(uint64_t pty_id, Kind kind, uint32_t flags);
    Result<size_t> read_control(Handle& h, Pty& p, std::span<uint8_t> buf);
    Result<size_t> write_control(Handle& h, Pty& p, std::span<const uint8_t> buf);
    static std::string slave_path(uint64_t pty) { return "/scheme/pty/" + std::to_string(pty); }

    uint64_t m_next_pty = 0;
    uint64_t m_next_handle = 1;
    std::map<uint64_t, Pty> m_ptys;
    std::map<uint64_t, Handle> m_handles;
};

} // namespace redox::ptyd
