--- runlog-lsp for Neovim 0.11+, without setup(): with this folder on 'runtimepath',
---
---   vim.lsp.enable('runlog_lsp')
---
--- starts runlog-lsp for JSON, JSONC and JSON Lines buffers (the server decides by content
--- whether a document is a run log; ordinary JSON stays silent). Override any field first:
---
---   vim.lsp.config('runlog_lsp', {
---     cmd = { '/path/to/runlog-lsp' },
---     settings = { runlog = { diagnostics = { minimumStatus = 400 } } },
---   })
---
--- The buffer-local commands :RunlogPayload, :RunlogCopyCurl and :RunlogRestart are created in
--- the buffers the server attaches to; :checkhealth runlog reports on it.
local runlog = require('runlog')

---@type vim.lsp.Config
return {
  cmd = { 'runlog-lsp' },
  filetypes = { 'json', 'jsonc', 'jsonl' },
  root_markers = { '.git' },
  -- runlog.* settings, nested: { runlog = { diagnostics = { minimumStatus = 400 } } }. Answers the
  -- server's workspace/configuration requests (Neovim's own handler reads them from here).
  settings = {},
  before_init = function(params, config)
    -- The settings go out as initializationOptions too; an empty Lua table would be a JSON array.
    local settings = config.settings or {}
    params.initializationOptions = next(settings) ~= nil and settings or vim.empty_dict()
  end,
  handlers = { ['workspace/configuration'] = runlog.on_configuration },
  commands = runlog.commands,
  on_attach = function(client, bufnr)
    runlog.buffer_commands(bufnr)
  end,
}
