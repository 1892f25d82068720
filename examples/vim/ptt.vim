" ptt.vim: spawn a ptt background task about the current file or the selected lines.
"   :PttTask add type hints to this module        (the whole file, by name)
"   :'<,'>PttTask why does this loop never end?    (the selected lines go with the prompt)
" The task runs in the file's directory; its id is echoed and kept in g:ptt_last_task.
" Install: copy to ~/.vim/plugin/ (or source it from your vimrc).
if exists('g:loaded_ptt')
  finish
endif
let g:loaded_ptt = 1
let g:ptt_task_command = get(g:, 'ptt_task_command', 'ptt-task')

function! s:spawn(prompt, range, first, last) abort
  let file = expand('%:p')
  let text = a:prompt
  if !empty(file)
    let text .= "\n\nFile: " . file
  endif
  if a:range > 0
    let text .= printf(" (lines %d-%d):\n\n%s\n", a:first, a:last, join(getline(a:first, a:last), "\n"))
  endif
  let cwd = empty(file) ? getcwd() : fnamemodify(file, ':h')
  " '-': the prompt goes through stdin, so no quoting of its text is needed.
  let out = system(g:ptt_task_command . ' spawn --cwd ' . shellescape(cwd) . ' -', text)
  if v:shell_error
    echoerr 'ptt: ' . substitute(out, '\n\+$', '', '')
    return
  endif
  let g:ptt_last_task = trim(out)
  echomsg 'ptt: task ' . g:ptt_last_task . ' started (ptt-task status ' . g:ptt_last_task . ')'
endfunction

command! -range -nargs=+ PttTask call s:spawn(<q-args>, <range>, <line1>, <line2>)
