--- :checkhealth runlog — is runlog-lsp found, which version, which clients run, with which
--- settings. Works on Neovim 0.7 (require('health').report_*) and 0.10+ (vim.health.*).
local M = {}

local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

--- The command that starts the server: the 0.11 config (lsp/runlog_lsp.lua or setup()'s
--- 'runlog-lsp') when there is one, else setup()'s options.
local function configured_cmd()
  local runlog = require('runlog')
  if vim.fn.has('nvim-0.11') == 1 and vim.lsp.config then
    for _, name in ipairs({ 'runlog-lsp', 'runlog_lsp' }) do
      local ok_config, config = pcall(function()
        return vim.lsp.config[name]
      end)
      if ok_config and type(config) == 'table' and type(config.cmd) == 'table' then
        return config.cmd, name
      end
    end
  end
  local cmd = runlog.config.cmd or { 'runlog-lsp' }
  return cmd, 'setup()'
end

function M.check()
  start('runlog-lsp')
  if vim.fn.has('nvim-0.7') ~= 1 then
    error('Neovim 0.7 or later is needed')
    return
  end
  local cmd, from = configured_cmd()
  local program = cmd[1]
  local path = program and vim.fn.exepath(program) or ''
  if path == '' then
    error(string.format('server not found: %s (from %s)', tostring(program), from), {
      'cargo xtask install --server-only (in a clone of runlog-lsp), or put runlog-lsp on PATH',
      "or point the config's cmd at the binary",
    })
  else
    ok(string.format('server: %s (from %s)', path, from))
    local version = vim.fn.system({ path, '--version' })
    if vim.v.shell_error == 0 then
      ok('version: ' .. vim.trim(version))
    else
      error('`' .. path .. ' --version` failed: ' .. vim.trim(version))
    end
  end

  start('runlog-lsp clients')
  local clients = require('runlog').clients()
  if #clients == 0 then
    info('no runlog-lsp client is running (open a JSON, HAR or JSON Lines file)')
  end
  for _, client in ipairs(clients) do
    local buffers = {}
    for b in pairs(client.attached_buffers or {}) do
      table.insert(buffers, vim.api.nvim_buf_get_name(b))
    end
    table.sort(buffers)
    ok(string.format('client %d (%s), root %s, attached to %d buffer(s): %s', client.id, client.name,
      tostring(client.config.root_dir), #buffers, table.concat(buffers, ', ')))
    info('settings: ' .. vim.inspect(client.config.settings or {}, { newline = ' ', indent = '' }))
  end
  if #clients == 0 then
    info('settings (setup): ' .. vim.inspect(require('runlog').config.settings or {}, { newline = ' ', indent = '' }))
  end
  if vim.fn.has('nvim-0.11') == 1 then
    local enabled = vim.lsp.is_enabled and (vim.lsp.is_enabled('runlog_lsp') or vim.lsp.is_enabled('runlog-lsp'))
    if vim.lsp.is_enabled and not enabled then
      warn("runlog-lsp is not enabled: vim.lsp.enable('runlog_lsp'), or require('runlog').setup()")
    end
  end
end

return M
