// redoxfs: `redoxfs [--private] [--password-file PATH] IMAGE [SCHEME]` serves the
// RedoxFS in IMAGE as SCHEME (default `file`, the root file system). IMAGE is a host
// file, or a sim path (/scheme/host/x.img, a disk scheme). With --private a host image
// is mapped copy-on-write and never written (what `redox-sim boot` does with its
// cached root image); without, every change is committed to IMAGE. An encrypted
// image is unlocked with the first line of PATH, a sim path (`redox-sim boot` hands
// the password over in a root-only initfs file, as Redox's bootloader does in memory).
#include "daemons/daemon.h"
#include "redoxfs/daemon/FileScheme.h"
#include "redoxfs/daemon/ImageDisk.h"

#include <functional>
#include <malloc.h>
#include <string>

int main(int argc, char** argv) {
    using namespace redox;
    const char* usage = "usage: redoxfs [--private] [--password-file PATH] IMAGE [SCHEME]";
    bool priv = false;
    std::string image, name, password_file;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--private") priv = true;
        else if (a == "--password-file" && i + 1 < argc) password_file = argv[++i];
        else if (a.starts_with("--")) daemon::die("redoxfs", std::string("unknown option ") + a + "; " + usage);
        else if (image.empty()) image = a;
        else if (name.empty()) name = a;
        else daemon::die("redoxfs", usage);
    }
    if (image.empty()) daemon::die("redoxfs", usage);
    if (name.empty()) name = "file";
    // Every read allocates and frees 128 KiB record buffers. Keep freed memory in the
    // heap instead of unmapping it and faulting fresh zeroed pages in on the next read
    // (reads of large files got 3-4x faster in an optimised build).
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);

    std::unique_ptr<redoxfs::Disk> disk;
    std::function<void(bool)> set_durable;
    bool sim_path = image.starts_with("/scheme/") || image.find(':') != std::string::npos;
    if (sim_path) {
        if (priv) daemon::die("redoxfs", "--private maps host files; " + image + " is a sim path");
        auto d = rfsd::SchemeImageDisk::open(image);
        if (!d) daemon::die("redoxfs", d.error().message());
        set_durable = [p = d->get()](bool on) { p->set_durable(on); };
        disk = std::move(*d);
    } else if (priv) {
        auto d = rfsd::PrivateImageDisk::open(image);
        if (!d) daemon::die("redoxfs", d.error().message());
        disk = std::move(*d);
    } else {
        auto d = rfsd::SharedImageDisk::open(image);
        if (!d) daemon::die("redoxfs", d.error().message());
        set_durable = [p = d->get()](bool on) { p->set_durable(on); };
        disk = std::move(*d);
    }
    redoxfs::OpenOptions opts;
    if (!password_file.empty()) {
        auto fd = sys::open(password_file, O_RDONLY_);
        if (!fd) daemon::die("redoxfs", "--password-file " + password_file + ": " + fd.error().message());
        auto text = sys::read_all(*fd);
        (void)sys::close(*fd);
        if (!text) daemon::die("redoxfs", "--password-file " + password_file + ": " + text.error().message());
        std::string pw = text->substr(0, text->find('\n'));
        if (pw.empty()) daemon::die("redoxfs", "--password-file " + password_file + ": empty");
        opts.password = std::move(pw);
    }
    // A fresh private copy has nothing to clean up; skipping it saves a commit at boot.
    opts.cleanup = !priv;
    auto fs = redoxfs::FileSystem::open(std::move(disk), opts);
    if (!fs) daemon::die("redoxfs", image + ": " + fs.error().message());
    rfsd::FileScheme scheme(name, std::move(*fs), std::move(set_durable));
    (void)sys::set_name("redoxfs");
    auto r = scheme.serve(name, [] { daemon::ready(); });
    if (!r) daemon::die("redoxfs", r.error().message());
    if (auto c = scheme.commit(true); !c) daemon::die("redoxfs", image + ": final commit: " + c.error().message());
    return 0;
}
