#pragma once
// ptt-supervise: the process that runs ptt-taskd's agents and records how each
// one ended, so that agents outlive the daemon (kill -9 included) and a
// restarted daemon finds their outcomes in the tasks' files.
//
// One server per daemon run serves all its tasks. (A supervisor process per
// task cost about a sixth of a task's CPU on our VMs: bench/README.md.)
// - It is started by the daemon in its own session. Its stdin is a socket to the
//   daemon, which sends AgentRequest and CancelAgentRequest lines (agent_request.h).
// - Each agent runs in its own process group, in its cwd, with stdin the task's input
//   FIFO (AgentRequest::input_fifo), whose write end the server keeps open until a
//   CloseInputRequest (or close_input_signal()) or the agent's end, so the agent sees
//   no end of input when a daemon dies; stdout and stderr are appended to the task's
//   stream.ndjson and stderr.log. The server appends
//   {"agent":PID} and then {"exit":{…}} to its supervisor.ndjson
//   (supervisor_status.h). Why an agent could not start goes to its stderr.log.
// - On the same socket it reports a task it could not run or record (lost_line).
// - Cancel: SIGTERM to the agent's group, SIGKILL after the grace period. It
//   comes as a line, or, from a later daemon, as cancel_signal(). A SIGTERM to
//   the server cancels all its tasks.
// - When the agent ends, its whole group is killed (grandchildren too).
// - It exits once its stdin is closed (the daemon is gone or shut down) and its
//   last agent has ended.

namespace ptt::supervise {

// ptt-supervise's main(): serves the socket on its stdin.
int supervise_main(int argc, char** argv);
// The server proper, on a connected socket; returns the exit status.
int serve_agents(int input_fd);

}  // namespace ptt::supervise
