// Standalone example: Orbital (SDL2 window, or --headless) running the hello app.
#include "run.h"

int main(int argc, char** argv) {
    return redox::examples::run_orbital_demo({argv + 1, size_t(argc - 1)}, "orbital-hello", {"hello"});
}
