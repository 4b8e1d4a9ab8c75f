--- runlog: attaches the runlog-lsp language server to run logs (JSON, JSONC, HAR, JSON Lines).
---
--- require('runlog').setup(opts) works on Neovim 0.7 and later: on 0.11+ it registers the server
--- with vim.lsp.config + vim.lsp.enable; before that it starts one client per root directory
--- (vim.lsp.start_client) from a FileType autocommand and attaches it (vim.lsp.buf_attach_client).
--- The server decides by content whether a document is a run log, so attaching it to every JSON
--- buffer is cheap and silent on ordinary JSON.
local M = {}

local NAME = 'runlog-lsp'

--- Defaults; every key can be overridden in setup(opts).
M.defaults = {
  -- The server command. nil: settings.runlog.server.path when set, else `runlog-lsp` on PATH.
  cmd = nil,
  -- Buffers of these filetypes get the server.
  filetypes = { 'json', 'jsonc', 'jsonl' },
  -- Files that mark a project root (the nearest one above the file); else the file's directory.
  root_markers = { '.git' },
  -- runlog.* settings, nested: { runlog = { diagnostics = { minimumStatus = 400 } } }. Sent as
  -- initializationOptions and returned for workspace/configuration. Use vim.empty_dict() for an
  -- empty object value.
  settings = {},
  -- Filetype detection for *.har (json) and *.jsonl / *.ndjson (jsonl).
  detect_filetypes = true,
  -- Passed through to the client.
  on_attach = nil,
  capabilities = nil,
  -- How :RunlogPayload opens the payload: 'vsplit', 'split' or 'tab'.
  payload_split = 'vsplit',
}

M.config = vim.deepcopy(M.defaults)

local function has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

local function notify(msg, level)
  vim.notify('runlog: ' .. msg, level or vim.log.levels.INFO)
end

--- The command that starts the server.
local function server_cmd(config)
  if config.cmd then
    return config.cmd
  end
  local runlog = type(config.settings) == 'table' and config.settings.runlog or nil
  local server = type(runlog) == 'table' and runlog.server or nil
  local path = type(server) == 'table' and server.path or nil
  if type(path) == 'string' and path ~= '' then
    return { path }
  end
  return { NAME }
end

--- Looks `section` ("runlog" or "runlog.diagnostics") up in the settings; vim.NIL when absent.
local function lookup_section(settings, section)
  if section == nil or section == '' then
    return settings or vim.NIL
  end
  local value = settings
  for part in string.gmatch(section, '[^.]+') do
    if type(value) ~= 'table' or value[part] == nil then
      return vim.NIL
    end
    value = value[part]
  end
  return value
end

--- Answers workspace/configuration with one value per item (also for items without a section,
--- which Neovim's default handler drops, misaligning the answer).
local function on_configuration(_, result, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local settings = client and client.config.settings or M.config.settings
  local answer = {}
  for _, item in ipairs((result and result.items) or {}) do
    table.insert(answer, lookup_section(settings, item.section))
  end
  return answer
end

--- The directory holding the nearest root marker above `path`, else path's directory.
local function find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(markers or {}) do
    local found = vim.fn.finddir(marker, dir .. ';')
    if found ~= '' then
      -- ':p' of a directory ends in '/', so ':h' twice climbs from '.git/' to its parent.
      return vim.fn.fnamemodify(found, ':p:h:h')
    end
    found = vim.fn.findfile(marker, dir .. ';')
    if found ~= '' then
      return vim.fn.fnamemodify(found, ':p:h')
    end
  end
  return dir
end

--- The client configuration shared by both ways of starting the server.
local function client_config(config)
  local settings = config.settings or {}
  return {
    name = NAME,
    cmd = server_cmd(config),
    settings = settings,
    -- An empty Lua table would be sent as a JSON array.
    init_options = next(settings) ~= nil and settings or vim.empty_dict(),
    capabilities = config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    handlers = { ['workspace/configuration'] = on_configuration },
    commands = M.commands,
    on_attach = function(client, bufnr)
      M.buffer_commands(bufnr)
      if config.on_attach then
        config.on_attach(client, bufnr)
      end
    end,
  }
end

M.on_configuration = on_configuration

--- The runlog-lsp clients attached to `bufnr` (all of them when bufnr is nil).
function M.clients(bufnr)
  local clients
  if vim.lsp.get_clients then
    clients = vim.lsp.get_clients({ bufnr = bufnr })
  elseif bufnr then
    clients = vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
  else
    clients = vim.lsp.get_active_clients()
  end
  -- 'runlog-lsp' from setup(), 'runlog_lsp' from lsp/runlog_lsp.lua.
  return vim.tbl_filter(function(c)
    return c.name == NAME or c.name == 'runlog_lsp'
  end, clients)
end

--- Neovim < 0.11: one client per root directory, started on first use.
local clients_by_root = {}

local function attach_legacy(bufnr)
  local config = M.config
  local path = vim.api.nvim_buf_get_name(bufnr)
  local root = path ~= '' and find_root(path, config.root_markers) or vim.fn.getcwd()
  local client_id = clients_by_root[root]
  if client_id and not vim.lsp.get_client_by_id(client_id) then
    client_id = nil
  end
  if not client_id then
    local conf = client_config(config)
    conf.root_dir = root
    conf.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
    conf.on_exit = function()
      if clients_by_root[root] == client_id then
        clients_by_root[root] = nil
      end
    end
    client_id = vim.lsp.start_client(conf)
    if not client_id then
      notify('could not start ' .. table.concat(conf.cmd, ' '), vim.log.levels.ERROR)
      return
    end
    clients_by_root[root] = client_id
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
end

local function detect_filetypes()
  if vim.filetype and vim.filetype.add and has('0.8') then
    vim.filetype.add({ extension = { har = 'json', jsonl = 'jsonl', ndjson = 'jsonl' } })
  end
  -- Neovim 0.7 still detects filetypes with filetype.vim by default: an autocommand covers it.
  local group = vim.api.nvim_create_augroup('runlog_filetypes', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, {
    group = group,
    pattern = { '*.har' },
    command = 'setfiletype json',
  })
  vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, {
    group = group,
    pattern = { '*.jsonl', '*.ndjson' },
    command = 'setfiletype jsonl',
  })
end

--- Shows `result` ({title, language, content}) in a read-only scratch buffer in a split.
function M.show_payload(result)
  local split = M.config.payload_split
  if split == 'tab' then
    vim.cmd('tabnew')
  elseif split == 'split' then
    vim.cmd('new')
  else
    vim.cmd('vnew')
  end
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  local lines = vim.split(result.content or '', '\n', { plain = true })
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  local title = result.title or 'payload'
  -- A second view of the same call gets a numbered name (buffer names are unique).
  local name = 'runlog://payload/' .. title
  local n = 1
  while not pcall(vim.api.nvim_buf_set_name, buf, name) and n < 100 do
    n = n + 1
    name = 'runlog://payload/' .. title .. ' (' .. n .. ')'
  end
  vim.bo[buf].filetype = (result.language and result.language ~= '') and result.language or 'json'
  vim.bo[buf].modifiable = false
  vim.bo[buf].readonly = true
  vim.b[buf].runlog_payload_title = title
  return buf
end

local function client_request(client, method, params, handler, bufnr)
  if has('0.11') then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Asks `client` for the payload at params ({textDocument, position}) and shows it.
local function request_payload(client, params, bufnr)
  client_request(client, 'runlog/payload', params, function(err, result)
    if err then
      notify('runlog/payload failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif result == nil or result == vim.NIL then
      notify('no call at the cursor', vim.log.levels.WARN)
    else
      M.show_payload(result)
    end
  end, bufnr)
end

--- Asks `client` for the curl command of the call at params ({textDocument, position}) and puts
--- it in the `+` register (the system clipboard, when there is one) and the unnamed register.
local function request_curl(client, params, bufnr)
  client_request(client, 'runlog/curl', params, function(err, result)
    if err then
      notify('runlog/curl failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if type(result) ~= 'table' or type(result.command) ~= 'string' then
      notify('no HTTP call with a URL at the cursor', vim.log.levels.WARN)
      return
    end
    vim.fn.setreg('"', result.command)
    -- Without a clipboard provider the + register cannot be set; the unnamed one has it.
    pcall(vim.fn.setreg, '+', result.command)
    local variables = result.variables or {}
    if #variables > 0 then
      notify('copied the request as cURL (secrets as shell variables: ' .. table.concat(variables, ', ') .. ')')
    else
      notify('copied the request as cURL')
    end
  end, bufnr)
end

--- The quickfix items of a runlog/failures answer: one per call, grouped by cause (the groups in
--- the server's order, largest first), text "[count× code] explanation — endpoint". Columns are
--- the server's (exact when UTF-8 was negotiated, as with Neovim 0.11+).
function M.failure_items(result)
  local items = {}
  for _, group in ipairs((type(result) == 'table' and result.groups) or {}) do
    local what = group.explanation
    if what == nil or what == vim.NIL or what == '' then
      what = (group.reason ~= vim.NIL and group.reason) or ''
    end
    local endpoint = {}
    for _, part in ipairs({ group.method, group.endpoint }) do
      if part ~= nil and part ~= vim.NIL and part ~= '' then
        table.insert(endpoint, part)
      end
    end
    local text = '[' .. group.count .. '× ' .. group.code .. '] ' .. what
    if #endpoint > 0 then
      text = text .. ' — ' .. table.concat(endpoint, ' ')
    end
    for _, call in ipairs(group.calls or {}) do
      local where = {}
      for _, part in ipairs({ call.run, call.name }) do
        if part ~= nil and part ~= vim.NIL and part ~= '' then
          table.insert(where, part)
        end
      end
      table.insert(items, {
        filename = vim.uri_to_fname(call.uri),
        lnum = call.range.start.line + 1,
        col = call.range.start.character + 1,
        text = #where > 0 and (text .. ' (' .. table.concat(where, ' › ') .. ')') or text,
        type = group.severity == 'warning' and 'W' or 'E',
      })
    end
  end
  return items
end

M.FAILURES_TITLE = 'runlog failures'

--- Asks `client` for the failures (params: {textDocument} or {} for every open and watched log)
--- and fills the quickfix list with them.
local function request_failures(client, params, bufnr)
  client_request(client, 'runlog/failures', params, function(err, result)
    if err then
      notify('runlog/failures failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    local items = M.failure_items(result)
    vim.fn.setqflist({}, ' ', { title = M.FAILURES_TITLE, items = items })
    if #items == 0 then
      notify('no failing calls')
    else
      vim.cmd('botright copen')
    end
  end, bufnr)
end

--- :RunlogFailures: the failing calls of the current log grouped by cause, in the quickfix list;
--- :RunlogFailures! those of every open and watched log.
function M.failures(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local all = opts and opts.bang
  local client = M.clients(bufnr)[1] or (all and M.clients()[1]) or nil
  if not client then
    notify('runlog-lsp is not running for this buffer', vim.log.levels.WARN)
    return
  end
  -- An empty table would be sent as `[]`: `{}` it is.
  local params = vim.empty_dict()
  if not all then
    params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  end
  request_failures(client, params, bufnr)
end

--- Jumps to the first location of a textDocument/definition answer.
local function jump(result, offset_encoding)
  if result == nil or result == vim.NIL then
    notify('no response body here', vim.log.levels.WARN)
    return
  end
  local islist = vim.islist or vim.tbl_islist
  local location = islist(result) and result[1] or result
  if location == nil then
    notify('no response body here', vim.log.levels.WARN)
  elseif vim.lsp.util.show_document then
    vim.lsp.util.show_document(location, offset_encoding, { focus = true })
  else
    vim.lsp.util.jump_to_location(location, offset_encoding)
  end
end

--- Sends `request(client, params, bufnr)` for the call at the cursor, when runlog-lsp serves this
--- buffer.
local function at_cursor(request)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.clients(bufnr)[1]
  if not client then
    notify('runlog-lsp is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  request(client, vim.lsp.util.make_position_params(0, client.offset_encoding), bufnr)
end

--- :RunlogPayload: asks the server for the payload of the call at the cursor (runlog/payload) and
--- opens it beside the log.
function M.payload()
  at_cursor(request_payload)
end

--- :RunlogCopyCurl: the request of the call at the cursor as a curl command (runlog/curl), in the
--- + and unnamed registers; secrets are shell variables.
function M.copy_curl()
  at_cursor(request_curl)
end

--- A command handler that sends `request` for the call its argument `{uri, position}` names.
local function at_argument(request)
  return function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    local target = command.arguments and command.arguments[1]
    if client and type(target) == 'table' then
      request(client, { textDocument = { uri = target.uri }, position = target.position }, ctx.bufnr)
    end
  end
end

--- Client-side handlers of the server's commands, so that the "View payload" and "Go to
--- response body" code actions show something: Neovim neither displays executeCommand results
--- nor (before 0.12) honours window/showDocument. Arguments: [{uri, position}].
local commands = {
  ['runlog.viewPayload'] = at_argument(request_payload),
  ['runlog.copyAsCurl'] = at_argument(request_curl),
  -- The summary lens ("37 failing calls · 3 causes"): that log's failures in the quickfix list.
  ['runlog.showFailures'] = function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    local target = command.arguments and command.arguments[1]
    if client then
      local params = vim.empty_dict()
      if type(target) == 'table' and target.uri then
        params = { textDocument = { uri = target.uri } }
      end
      request_failures(client, params, ctx.bufnr)
    end
  end,
  ['runlog.revealBody'] = function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    local target = command.arguments and command.arguments[1]
    if client and type(target) == 'table' then
      local params = { textDocument = { uri = target.uri }, position = target.position }
      client_request(client, 'textDocument/definition', params, function(err, result)
        if err then
          notify('textDocument/definition failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        else
          jump(result, client.offset_encoding)
        end
      end, ctx.bufnr)
    end
  end,
}
M.commands = commands

--- :RunlogRestart: stops the runlog-lsp clients and attaches fresh ones to the open buffers.
function M.restart()
  local buffers = {}
  for _, client in ipairs(M.clients()) do
    -- client.attached_buffers (0.7+) is a set of buffer numbers.
    for b in pairs(client.attached_buffers or {}) do
      table.insert(buffers, b)
    end
    if has('0.11') then
      client:stop()
    else
      client.stop()
    end
  end
  clients_by_root = {}
  vim.defer_fn(function()
    for _, b in ipairs(buffers) do
      if vim.api.nvim_buf_is_valid(b) then
        vim.api.nvim_exec_autocmds('FileType', { buffer = b })
      end
    end
  end, 500)
end

--- The user commands, created buffer-local in each buffer runlog-lsp attaches to.
M.user_commands = {
  RunlogPayload = { M.payload, 'runlog: view the payload of the call at the cursor' },
  RunlogCopyCurl = { M.copy_curl, 'runlog: copy the request of the call at the cursor as a curl command' },
  RunlogRestart = { M.restart, 'runlog: restart runlog-lsp' },
  RunlogFailures = {
    M.failures,
    'runlog: failing calls grouped by cause in the quickfix list (! for every open and watched log)',
    { bang = true },
  },
}

--- Creates the user commands in `bufnr` (called on attach).
function M.buffer_commands(bufnr)
  for name, command in pairs(M.user_commands) do
    local opts = vim.tbl_extend('force', { desc = command[2] }, command[3] or {})
    vim.api.nvim_buf_create_user_command(bufnr, name, function(args)
      command[1](args)
    end, opts)
  end
end

function M.setup(opts)
  if not has('0.7') then
    notify('needs Neovim 0.7 or later', vim.log.levels.ERROR)
    return
  end
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  -- The list replaces the default one rather than being merged index by index.
  if opts and opts.filetypes then
    M.config.filetypes = opts.filetypes
  end
  if M.config.detect_filetypes then
    detect_filetypes()
  end

  if has('0.11') and vim.lsp.config and vim.lsp.enable then
    local conf = client_config(M.config)
    conf.filetypes = M.config.filetypes
    conf.root_markers = M.config.root_markers
    vim.lsp.config(NAME, conf)
    vim.lsp.enable(NAME)
    return
  end

  local group = vim.api.nvim_create_augroup('runlog_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      -- Only real files and unnamed scratch JSON: never our own payload buffers.
      if vim.bo[args.buf].buftype == '' then
        attach_legacy(args.buf)
      end
    end,
  })
  -- Buffers opened before setup() ran.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(M.config.filetypes, vim.bo[b].filetype) then
      if vim.bo[b].buftype == '' then
        attach_legacy(b)
      end
    end
  end
end

return M
