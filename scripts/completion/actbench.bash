# Bash completion for actbench: subcommands, list topics, flags, config files and KEY= config keys.
# Use it with `source scripts/completion/actbench.bash`; `cmake --install` puts it where
# bash-completion finds it (share/bash-completion/completions/actbench).
_actbench() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} sub=${COMP_WORDS[1]}
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    mapfile -t COMPREPLY < <(compgen -W "run plan merge ls show compare export curves peak plot list --help --version" -- "$cur")
    return
  fi
  case "$prev" in
    --device | -d) mapfile -t COMPREPLY < <(compgen -W "auto cpu cuda cuda:0 cuda:1" -- "$cur"); return ;;
    --out | -o | --log-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --store) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --config | -c) mapfile -t COMPREPLY < <(compgen -f -X '!*.@(yaml|yml|json)' -- "$cur"); return ;;
    --style) mapfile -t COMPREPLY < <(compgen -W "screen paper" -- "$cur"); return ;;
  esac
  local flags="--help -q -v --log-file"
  case "$sub" in
    list) mapfile -t COMPREPLY < <(compgen -W "activations keys --markdown --schema" -- "$cur") ;;
    merge | plot | show) mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -W "--baseline --complete --spread --out --curves --style --formats $flags" -- "$cur") ;;
    ls) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    export)
      if [ "$prev" = --format ] || [ "$prev" = -f ]; then
        mapfile -t COMPREPLY < <(compgen -W "csv latex markdown" -- "$cur")
        return
      fi
      mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -W "--format --baseline --spread $flags" -- "$cur") ;;
    compare)
      if [ "$prev" = --by ]; then
        [ -n "${_ACTBENCH_KEY_NAMES:-}" ] ||
          _ACTBENCH_KEY_NAMES=$("${COMP_WORDS[0]}" list keys 2>/dev/null | awk 'NR > 1 { print $1 }')
        mapfile -t COMPREPLY < <(compgen -W "$_ACTBENCH_KEY_NAMES" -- "$cur")
        return
      fi
      mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -W "--by $flags" -- "$cur") ;;
    curves) mapfile -t COMPREPLY < <(compgen -W "--activations --config --range --points --out $flags" -- "$cur") ;;
    peak) mapfile -t COMPREPLY < <(compgen -W "--threads --size --seconds --json $flags" -- "$cur") ;;
    run | plan)
      if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "--config --device --out --jobs --shard --store --fresh --max-memory --json $flags" -- "$cur")
        return
      fi
      # The keys, asked of actbench once per shell.
      [ -n "${_ACTBENCH_KEYS:-}" ] ||
        _ACTBENCH_KEYS=$("${COMP_WORDS[0]}" list keys 2>/dev/null | awk 'NR > 1 { print $1 "=" }')
      mapfile -t COMPREPLY < <(compgen -W "$_ACTBENCH_KEYS" -- "$cur"; compgen -f -X '!*.@(yaml|yml|json)' -- "$cur")
      compopt -o nospace 2>/dev/null
      ;;
  esac
}
shopt -s extglob
complete -F _actbench actbench
