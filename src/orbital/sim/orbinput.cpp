// orbinput COMMAND...: injects input as a device would, through inputd's producer
// (/scheme/input/producer), so it reaches Orbital through its VT's consumer. Each
// argument is one or more command lines of src/daemons/inputd/producer.h, e.g.
//   orbinput "mouse 100 80" "button 1 0 0" "button 0 0 0" "key 0x1E press U+61"
#include <string>

#include "daemons/inputd/producer.h"
#include "schemes/libredox.h"

int main(int argc, char** argv) {
    using namespace redox;
    auto die = [](const std::string& what) {
        (void)sys::write_all(2, "orbinput: " + what + "\n");
        sys::exit(1);
    };
    if (argc < 2) die("usage: orbinput COMMAND... (key CODE [press|release] [U+XXXX], text C, mouse X Y, "
                      "mouse_relative DX DY, button L M R, scroll DX DY, display_resize W H, quit)");
    (void)sys::set_name("orbinput");
    // Every argument is checked before anything is sent.
    std::vector<input::Event> events;
    for (int i = 1; i < argc; ++i) {
        auto evs = input::parse_commands(argv[i]);
        if (!evs) die(evs.error().message());
        events.insert(events.end(), evs->begin(), evs->end());
    }
    auto producer = input::Producer::open();
    if (!producer) die("/scheme/input/producer: " + producer.error().message() + " (is inputd running?)");
    if (auto r = producer->send(events); !r) die("/scheme/input/producer: " + r.error().message());
    sys::exit(0);
}
