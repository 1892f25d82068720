// ptt-supervise: runs ptt-taskd's agents and records how each ended
// (lib/supervise/supervisor.h). Started by the daemon, never by hand.
#include "supervise/supervisor.h"

int main(int argc, char** argv) { return ptt::supervise::supervise_main(argc, argv); }
