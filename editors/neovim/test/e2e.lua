-- End-to-end test of editors/neovim with the real runlog-lsp, run by `cargo xtask test` (neovim
-- tier) as: nvim --headless --clean -c 'luafile editors/neovim/test/e2e.lua'
-- Environment: RUNLOG_REPO (repository root), RUNLOG_LSP_BIN (the server binary), RUNLOG_FIXTURE
-- (a scratch copy of tests/fixtures/integration/seed-168379.json), RUNLOG_HAR (a copy of
-- tests/fixtures/har/chromium-recorded.pretty.har named *.har), RUNLOG_JSONL (a copy of
-- tests/fixtures/jsonl/pino-http.jsonl), RUNLOG_NVIM_MODE (`setup`: require('runlog').setup(); `lsp`:
-- Neovim 0.11's vim.lsp.config/vim.lsp.enable('runlog_lsp') with lsp/runlog_lsp.lua, no setup()).
-- Prints one line per check to stderr; exits 0 when all pass, 1 with the reason otherwise.

local TIMEOUT = 20000 -- ms for each wait on the server

local function log(msg)
  io.stderr:write(msg .. '\n')
end

local function fail(msg)
  log('FAIL: ' .. msg)
  vim.cmd('cquit 1')
end

local function check(cond, msg)
  if not cond then
    fail(msg)
  end
  log('ok: ' .. msg)
end

local function env(name)
  local value = os.getenv(name)
  if not value or value == '' then
    fail('environment variable ' .. name .. ' is not set')
  end
  return value
end

local function run()
  local repo = env('RUNLOG_REPO')
  local bin = env('RUNLOG_LSP_BIN')
  local fixture = env('RUNLOG_FIXTURE')
  log('neovim ' .. tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch)

  -- Load the plugin from the repository, as a plugin manager would.
  vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
  local runlog = require('runlog')
  -- Settings the server must receive (initializationOptions and workspace/configuration):
  -- 404s become warnings, which the HAR check below sees.
  local settings = { runlog = { diagnostics = { minimumStatus = 400, severity = { ['404'] = 'warning' } } } }
  local mode = os.getenv('RUNLOG_NVIM_MODE') or 'setup'
  log('mode: ' .. mode)
  if mode == 'lsp' then
    -- What a user's init.lua holds on 0.11+: no setup(). Startup sources ftdetect/ from every
    -- 'runtimepath' entry; the folder was added after startup here, so source it as startup would.
    vim.cmd('runtime! ftdetect/runlog.lua')
    vim.lsp.config('runlog_lsp', { cmd = { bin }, settings = settings })
    vim.lsp.enable('runlog_lsp')
    local resolved = vim.lsp.config.runlog_lsp
    check(resolved ~= nil and vim.tbl_contains(resolved.filetypes or {}, 'jsonl'),
      'lsp/runlog_lsp.lua is found on the runtimepath and gives the filetypes')
    check(resolved.cmd[1] == bin, "the user's vim.lsp.config cmd overrides the shipped one")
  else
    runlog.setup({ cmd = { bin }, settings = settings })
  end
  check(vim.fn.exists(':RunlogPayload') == 0, ':RunlogPayload is not defined before the server attaches')

  vim.cmd('edit ' .. vim.fn.fnameescape(fixture))
  local bufnr = vim.api.nvim_get_current_buf()
  check(vim.bo[bufnr].filetype == 'json', 'the fixture opens as filetype json')

  local attached = vim.wait(TIMEOUT, function()
    local c = runlog.clients(bufnr)[1]
    return c ~= nil and c.initialized ~= false and c.server_capabilities ~= nil
  end, 50)
  check(attached, 'runlog-lsp attaches to the buffer and initializes')
  local client = runlog.clients(bufnr)[1]
  log('   client: ' .. client.name)
  check(vim.fn.exists(':RunlogPayload') == 2 and vim.fn.exists(':RunlogCopyCurl') == 2
    and vim.fn.exists(':RunlogRestart') == 2, 'the Runlog commands exist in the attached buffer')
  check(vim.api.nvim_buf_get_commands(bufnr, {}).RunlogPayload ~= nil, ':RunlogPayload is buffer-local')

  -- :checkhealth runlog finds the binary, its version and this client.
  vim.cmd('checkhealth runlog')
  local health_text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  log('   checkhealth: ' .. health_text:gsub('\n', ' | '))
  check(health_text:find('server: ' .. bin, 1, true) ~= nil, ':checkhealth runlog shows the server binary')
  check(health_text:find('version: runlog-lsp ', 1, true) ~= nil, ':checkhealth runlog shows its version')
  check(health_text:find('client ' .. client.id, 1, true) ~= nil, ':checkhealth runlog lists the attached client')
  check(health_text:find('minimumStatus', 1, true) ~= nil, ':checkhealth runlog shows the settings')
  vim.cmd(vim.fn.tabpagenr('$') > 1 and 'tabclose' or 'bwipeout')
  vim.api.nvim_set_current_buf(bufnr)

  -- The line and column of the failing status code: `"network_code": 400`.
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local line400, col400
  for i, text in ipairs(lines) do
    local s = text:find('"network_code": 400', 1, true)
    if s then
      line400 = i - 1
      col400 = s - 1 + #'"network_code": '
    end
  end
  check(line400 ~= nil, 'the fixture has "network_code": 400')

  local got = vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50)
  check(got, 'diagnostics arrive')
  local diagnostics = vim.diagnostic.get(bufnr)
  local errors = vim.diagnostic.get(bufnr, { severity = vim.diagnostic.severity.ERROR })
  for _, d in ipairs(diagnostics) do
    log(string.format('   diagnostic %d:%d severity %d: %s', d.lnum + 1, d.col + 1, d.severity, d.message))
  end
  check(#errors == 1, 'exactly one error diagnostic (got ' .. #errors .. ')')
  local d = errors[1]
  check(d.lnum == line400 and d.col == col400,
    string.format('it is at the 400 (line %d col %d; expected %d:%d)', d.lnum + 1, d.col + 1, line400 + 1, col400 + 1))
  check(d.message:find('400 Bad Request', 1, true) == 1, 'its message starts with "400 Bad Request"')
  check(d.message:find('already a list member', 1, true) ~= nil, 'its message says "already a list member"')
  check(d.source == 'runlog', 'its source is "runlog"')
  -- Back to the LSP shape, as vim.lsp.buf.code_action() does (user_data.lsp holds only the
  -- fields that vim.diagnostic has no place for).
  local lsp_diagnostic = vim.tbl_extend('force', (d.user_data and d.user_data.lsp) or {}, {
    range = {
      start = { line = d.lnum, character = d.col },
      ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
    },
    severity = d.severity,
    message = d.message,
    source = d.source,
  })
  check(tostring(lsp_diagnostic.code) == '400', 'its code is "400"')

  -- Hover on the 400.
  local position = { line = line400, character = col400 + 1 }
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr), position = position }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, TIMEOUT)
  local hover
  for id, r in pairs(responses or {}) do
    if id == client.id and r.result then
      hover = r.result
    end
  end
  check(hover ~= nil, 'hover answers on the 400')
  local contents = hover.contents
  local text = type(contents) == 'string' and contents or contents.value or vim.inspect(contents)
  check(text:find('The request was unacceptable', 1, true) ~= nil,
    'the hover has the definition ("The request was unacceptable...")')
  check(text:find('already a list member', 1, true) ~= nil, "the hover has the body's explanation")

  -- Code actions at the 400, with its diagnostic in the context.
  local action_params = {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = { start = position, ['end'] = position },
    context = { diagnostics = { lsp_diagnostic } },
  }
  responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', action_params, TIMEOUT)
  local titles = {}
  local actions = {}
  for id, r in pairs(responses or {}) do
    if id == client.id then
      if r.err or r.error then
        log('   codeAction error: ' .. vim.inspect(r.err or r.error))
      end
      for _, action in ipairs(r.result or {}) do
        table.insert(titles, action.title)
        actions[action.title] = action
      end
    end
  end
  log('   code actions: ' .. table.concat(titles, ' | '))
  for _, want in ipairs({ 'View payload', 'Go to response body', 'Unfold response body' }) do
    local found = false
    for _, title in ipairs(titles) do
      if title:sub(1, #want) == want then
        found = true
      end
    end
    check(found, 'a code action titled "' .. want .. '..."')
  end

  -- "Go to response body" as vim.lsp.buf.code_action() applies it: its command goes to the
  -- plugin's client-side handler, which jumps to the body.
  local reveal = actions['Go to response body']
  local command = reveal and (reveal.command or reveal)
  check(command and runlog.commands[command.command] ~= nil,
    'the plugin handles the "Go to response body" command (' .. tostring(command and command.command) .. ')')
  local body_line
  for i = line400 + 1, #lines do
    -- The response Body of the 400 is the first line after it with the body's title.
    if lines[i]:find('Member Exists', 1, true) then
      body_line = i
      break
    end
  end
  runlog.commands[command.command](command, { bufnr = bufnr, client_id = client.id })
  local moved = vim.wait(TIMEOUT, function()
    return vim.api.nvim_win_get_cursor(0)[1] == body_line
  end, 50)
  check(moved, string.format('the cursor goes to the response body on line %s (it is on line %d)',
    tostring(body_line), vim.api.nvim_win_get_cursor(0)[1]))

  -- :RunlogPayload with the cursor on the 400 opens the payload in a scratch buffer.
  vim.api.nvim_win_set_cursor(0, { line400 + 1, col400 + 1 })
  vim.cmd('RunlogPayload')
  local payload_buf
  local opened = vim.wait(TIMEOUT, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.b[b].runlog_payload_title ~= nil then
        payload_buf = b
        return true
      end
    end
    return false
  end, 50)
  check(opened, ':RunlogPayload opens a payload buffer')
  check(vim.bo[payload_buf].modifiable == false, 'the payload buffer is not modifiable')
  check(vim.bo[payload_buf].buftype == 'nofile', 'the payload buffer is a scratch buffer')
  check(#vim.fn.win_findbuf(payload_buf) > 0, 'the payload buffer is shown in a window')
  local payload = table.concat(vim.api.nvim_buf_get_lines(payload_buf, 0, -1, false), '\n')
  check(payload:find('already a list member', 1, true) ~= nil, 'the payload shows the response body')
  check(payload:find('Member Exists', 1, true) ~= nil, "the payload shows the body's title")
  check(payload:find('YW55c3RyaW5nOjVmM2E5YzFk', 1, true) == nil,
    'the payload does not show the Authorization secret')
  check(vim.tbl_count(runlog.clients(payload_buf)) == 0, 'runlog-lsp is not attached to the payload buffer')
  check(vim.api.nvim_buf_get_commands(payload_buf, {}).RunlogPayload == nil,
    'the payload buffer has no :RunlogPayload')

  -- The user's way: vim.lsp.buf.code_action() at the 400, choosing "View payload" in the menu
  -- (vim.ui.select answered here); Neovim hands the action's command to the plugin's handler.
  vim.api.nvim_set_current_win(vim.fn.win_findbuf(bufnr)[1])
  vim.api.nvim_win_set_cursor(0, { line400 + 1, col400 + 1 })
  local offered = {}
  local original_select = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    for i, item in ipairs(items) do
      local action = item.action or item[2] or item
      local title = action.title or ''
      table.insert(offered, title)
      if title:sub(1, #'View payload') == 'View payload' then
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  vim.lsp.buf.code_action()
  local second_payload
  local shown = vim.wait(TIMEOUT, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if b ~= payload_buf and vim.b[b].runlog_payload_title ~= nil then
        second_payload = b
        return true
      end
    end
    return false
  end, 50)
  vim.ui.select = original_select
  log('   code action menu: ' .. table.concat(offered, ' | '))
  check(shown, 'vim.lsp.buf.code_action() -> "View payload" opens the payload')
  local second = table.concat(vim.api.nvim_buf_get_lines(second_payload, 0, -1, false), '\n')
  check(second:find('already a list member', 1, true) ~= nil, 'that payload shows the response body')
  vim.api.nvim_set_current_win(vim.fn.win_findbuf(bufnr)[1])

  -- :RunlogCopyCurl with the cursor on the 400 puts the request as a curl command in the
  -- registers, the Authorization secret as a shell variable.
  vim.fn.setreg('"', 'nothing copied yet')
  pcall(vim.fn.setreg, '+', 'nothing copied yet')
  vim.api.nvim_win_set_cursor(0, { line400 + 1, col400 + 1 })
  vim.cmd('RunlogCopyCurl')
  local copied = vim.wait(TIMEOUT, function()
    return vim.fn.getreg('"'):find('curl ', 1, true) ~= nil
  end, 50)
  local curl = vim.fn.getreg('"')
  log('   copied: ' .. curl:gsub('\n', ' | '))
  check(copied, ':RunlogCopyCurl puts a curl command in the unnamed register')
  check(curl:find('https://us21.api.mailchimp.com/3.0/lists/4ca5becb8d/members', 1, true) ~= nil,
    'the curl command has the URL')
  check(curl:find('-H "Authorization: Basic $AUTHORIZATION"', 1, true) ~= nil,
    'the Authorization secret is a shell variable')
  check(curl:find('# set AUTHORIZATION before running', 1, true) ~= nil, 'the variable is listed above')
  check(curl:find('YW55c3RyaW5n', 1, true) == nil, 'the curl command does not hold the secret')
  if vim.fn.has('clipboard') == 1 then
    check(vim.fn.getreg('+') == curl, 'the + register holds it too')
  else
    log('   (no clipboard provider: the + register is not checked)')
  end
  -- The "Copy as cURL" code action, run as Neovim runs it: the plugin's handler copies too.
  local copy_action = actions['Copy as cURL']
  check(copy_action ~= nil and copy_action.command ~= nil
    and runlog.commands[copy_action.command.command] ~= nil,
    'the "Copy as cURL" code action is offered and its command handled by the plugin')
  vim.fn.setreg('"', 'nothing copied yet')
  runlog.commands[copy_action.command.command](copy_action.command, { bufnr = bufnr, client_id = client.id })
  check(vim.wait(TIMEOUT, function()
    return vim.fn.getreg('"') == curl
  end, 50), 'the "Copy as cURL" code action puts the same command in the register')

  -- :RunlogFailures fills the quickfix list with the seed log's failing call, grouped by cause.
  local function failures_list(cmd)
    vim.fn.setqflist({}, ' ', { title = 'nothing yet', items = {} })
    vim.cmd(cmd)
    local filled = vim.wait(TIMEOUT, function()
      return vim.fn.getqflist({ title = 1 }).title == runlog.FAILURES_TITLE
    end, 50)
    check(filled, cmd .. ' fills the quickfix list')
    local items = vim.fn.getqflist()
    vim.cmd('cclose')
    for _, item in ipairs(items) do
      log('   ' .. cmd .. ': ' .. vim.fn.bufname(item.bufnr) .. ':' .. item.lnum .. ':' .. item.col .. ' ' .. item.text)
    end
    return items
  end
  vim.api.nvim_set_current_win(vim.fn.win_findbuf(bufnr)[1])
  local seed_failures = failures_list('RunlogFailures')
  check(#seed_failures == 1, ':RunlogFailures lists the one failing call of the seed log')
  check(seed_failures[1].bufnr == bufnr and seed_failures[1].lnum == line400 + 1,
    'the entry is at the 400')
  check(seed_failures[1].text:find('[1× 400] Member Exists: <email> is already a list member.', 1, true) == 1,
    'the entry says "[1× 400] <masked explanation>"')
  check(seed_failures[1].text:find(' — POST https://us21.api.mailchimp.com/3.0/lists/{id}/members', 1, true) ~= nil,
    'the entry names the endpoint template')
  vim.api.nvim_set_current_win(vim.fn.win_findbuf(bufnr)[1])

  -- "Unfold response body" applied as Neovim applies a code action's edit; the server then gets
  -- the change (didChange): the 400 is still reported and the body, now an object, offers the
  -- reverse action (which only an up-to-date analysis can offer).
  local unfold = actions['Unfold response body']
  vim.api.nvim_set_current_buf(bufnr)
  vim.lsp.util.apply_workspace_edit(unfold.edit, client.offset_encoding)
  local unfolded = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  check(unfolded:find('"title": "Member Exists"', 1, true) ~= nil,
    'the unfold edit writes the body as JSON ("title": "Member Exists" on its own)')
  check(unfolded:find('\\"title\\":\\"Member Exists\\"', 1, true) == nil,
    'the escaped body string is gone')
  local still = vim.wait(TIMEOUT, function()
    local now = vim.diagnostic.get(bufnr, { severity = vim.diagnostic.severity.ERROR })
    return #now == 1 and now[1].lnum == line400 and now[1].message:find('already a list member', 1, true) ~= nil
  end, 50)
  check(still, 'after the edit the server still reports the 400 with its explanation')
  responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', action_params, TIMEOUT)
  local fold_offered = false
  for id, r in pairs(responses or {}) do
    if id == client.id then
      for _, action in ipairs(r.result or {}) do
        if action.title:sub(1, #'Fold response body into a string') == 'Fold response body into a string' then
          fold_offered = true
        end
      end
    end
  end
  check(fold_offered, 'the unfolded body offers "Fold response body into a string"')

  -- Filetype detection and attachment for *.har and *.jsonl, on logs from real producers.
  local function open_and_wait(path)
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    local b = vim.api.nvim_get_current_buf()
    vim.wait(TIMEOUT, function()
      return #vim.diagnostic.get(b) > 0
    end, 50)
    return b, vim.diagnostic.get(b)
  end
  local function has_diagnostic(list, severity, prefix)
    for _, item in ipairs(list) do
      if item.severity == severity and item.message:sub(1, #prefix) == prefix then
        return true
      end
    end
    return false
  end
  local har_buf, har_diagnostics = open_and_wait(env('RUNLOG_HAR'))
  check(vim.bo[har_buf].filetype == 'json', 'a *.har file opens as filetype json')
  check(#runlog.clients(har_buf) == 1, 'runlog-lsp attaches to the HAR')
  check(has_diagnostic(har_diagnostics, vim.diagnostic.severity.ERROR, '400 Bad Request'),
    "the Chromium HAR's 400 gets an error diagnostic")
  check(has_diagnostic(har_diagnostics, vim.diagnostic.severity.ERROR, '429 Too Many Requests'),
    "the Chromium HAR's 429 gets an error diagnostic")
  check(has_diagnostic(har_diagnostics, vim.diagnostic.severity.WARN, '404 Not Found')
    and not has_diagnostic(har_diagnostics, vim.diagnostic.severity.ERROR, '404 Not Found'),
    "the HAR's 404 is a warning, as the runlog.diagnostics.severity setting asks")
  check(has_diagnostic(har_diagnostics, vim.diagnostic.severity.INFO, '200 OK'),
    "the Chromium HAR's GraphQL 200 with errors gets an information diagnostic")
  local jsonl_buf, jsonl_diagnostics = open_and_wait(env('RUNLOG_JSONL'))
  check(vim.bo[jsonl_buf].filetype == 'jsonl', 'a *.jsonl file opens as filetype jsonl')
  check(#runlog.clients(jsonl_buf) == 1, 'runlog-lsp attaches to the JSON Lines log')
  check(has_diagnostic(jsonl_diagnostics, vim.diagnostic.severity.ERROR, '502 Bad Gateway'),
    "the JSON Lines log's 502 gets an error diagnostic")
  check(#runlog.clients() == 1, 'one runlog-lsp client serves all three files')

  -- :RunlogFailures! lists the failing calls of every open log, grouped by cause (one entry
  -- per call, the groups largest first).
  local every = failures_list('RunlogFailures!')
  local per_file, counts = {}, {}
  for _, item in ipairs(every) do
    per_file[item.bufnr] = (per_file[item.bufnr] or 0) + 1
    local count = tonumber(item.text:match('^%[(%d+)×'))
    check(count ~= nil, 'every entry starts with "[count× code]": ' .. item.text)
    table.insert(counts, count)
  end
  check(per_file[bufnr] == 1 and (per_file[har_buf] or 0) >= 3 and (per_file[jsonl_buf] or 0) >= 1,
    ':RunlogFailures! has the calls of the seed log, the HAR and the JSON Lines log')
  for i = 2, #counts do
    check(counts[i] <= counts[i - 1], 'the groups are ordered by count')
  end
  local has_502 = false
  for _, item in ipairs(every) do
    if item.bufnr == jsonl_buf and item.text:find('× 502]', 1, true) then
      has_502 = true
    end
  end
  check(has_502, "the JSON Lines log's 502 is listed")

  -- :RunlogRestart (a command of the buffers the server is attached to) replaces the client
  -- and the open logs get diagnostics again.
  vim.api.nvim_set_current_buf(jsonl_buf)
  local old_id = runlog.clients(jsonl_buf)[1].id
  vim.cmd('RunlogRestart')
  local restarted = vim.wait(TIMEOUT, function()
    local c = runlog.clients(jsonl_buf)[1]
    return c ~= nil and c.id ~= old_id and #runlog.clients() == 1
  end, 50)
  check(restarted, ':RunlogRestart starts a new client and attaches it to the open logs')
  check(#runlog.clients(bufnr) == 1, 'the restarted client serves the seed log too')

  log('PASS: neovim e2e')
  for _, c in ipairs(runlog.clients()) do
    if vim.fn.has('nvim-0.11') == 1 then
      c:stop()
    else
      c.stop()
    end
  end
  vim.wait(2000, function()
    return #runlog.clients() == 0
  end, 50)
  vim.cmd('qall!')
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  fail('error in the test script: ' .. tostring(err))
end
