#pragma once
// `list`'s request and its reply, read with the fast reader (fast_list.h): shared by the
// list of one daemon and `list --all-hosts`, which asks every configured host.
#include <string_view>

#include "client/client.h"
#include "protocol/requests.h"
#include "taskcli/commands.h"
#include "taskcli/fast_list.h"
#include "taskcli/format.h"

namespace ptt::taskcli {

// The request for these arguments (a table: the newest finished tasks; --json: all).
// Throws UsageError for an unknown --state.
protocol::ListRequest list_request(const ListArgs& a, bool json);
// Sends `req` and reads its reply: with `table`, each record becomes a row (with `host`
// in its HOST cell); with `json`, the reply keeps each record's raw JSON. Throws
// RequestError for ok:false, UnreachableError as Client does.
ListReply read_list(client::Client& client, const protocol::ListRequest& req, bool json, TableRenderer* table,
                    std::string_view host);
// The stderr line about finished tasks the table left out (none with --last).
void note_omitted(std::uint64_t omitted, const ListArgs& a);

}  // namespace ptt::taskcli
