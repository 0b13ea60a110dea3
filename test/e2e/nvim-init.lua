-- Headless Neovim (0.7+) driving abi3lint-lsp over stdio: waits for diagnostics, asks a hover and code
-- actions, prints one JSON object on stdout and quits (non-zero on failure).
local server = os.getenv('ABI3LINT_LSP')
local out = {}
local function finish(ok)
  out.ok = ok
  io.stdout:write(vim.fn.json_encode(out) .. '\n')
  io.stdout:flush()
  vim.cmd(ok and 'qall!' or 'cquit 1')
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'c',
  callback = function(args)
    local config = { name = 'abi3lint', cmd = { 'node', server, '--stdio' }, root_dir = vim.fn.getcwd() }
    local client_id
    if vim.lsp.start then
      client_id = vim.lsp.start(config)
    else
      client_id = vim.lsp.start_client(config)
      vim.lsp.buf_attach_client(args.buf, client_id)
    end
    out.client = client_id
  end,
})

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local buf = vim.api.nvim_get_current_buf()
    local got = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
    if not got then
      out.error = 'no diagnostics within 20 s'
      return finish(false)
    end
    out.diagnostics = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(out.diagnostics, { line = d.lnum, col = d.col, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message })
    end
    local target = tonumber(os.getenv('ABI3LINT_HOVER_LINE'))
    local col = tonumber(os.getenv('ABI3LINT_HOVER_COL'))
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = target, character = col } }
    local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000)
    for _, r in pairs(hover or {}) do
      if r.result and r.result.contents then out.hover = r.result.contents.value end
    end
    params.range = { start = params.position, ['end'] = params.position }
    params.context = { diagnostics = {} }
    local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
    out.actions = {}
    for _, r in pairs(actions or {}) do
      for _, a in ipairs(r.result or {}) do table.insert(out.actions, a.title) end
    end
    finish(true)
  end,
})
