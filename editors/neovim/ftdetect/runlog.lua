-- Filetypes of run logs: *.har is JSON, *.jsonl / *.ndjson are JSON Lines. Sourced by Neovim's
-- filetype detection from every 'runtimepath' entry (so also without require('runlog').setup()).
if vim.filetype and vim.filetype.add and vim.fn.has('nvim-0.8') == 1 then
  vim.filetype.add({ extension = { har = 'json', jsonl = 'jsonl', ndjson = 'jsonl' } })
else
  vim.cmd([[
    autocmd BufNewFile,BufRead *.har setfiletype json
    autocmd BufNewFile,BufRead *.jsonl,*.ndjson setfiletype jsonl
  ]])
end
