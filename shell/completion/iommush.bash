# bash completion for iommush(8). The candidates come from the program's own command table
# (iommush --complete WORDS...), so they are always those of the installed version.
_iommush()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i first=0
	local bin=${_IOMMUSH_BIN:-${COMP_WORDS[0]}}

	case $prev in
	--backend) COMPREPLY=($(compgen -W 'kernel sim sim-no-canwbs' -- "$cur")); return ;;
	-b|--batch) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-c|--command) return ;;
	esac
	# the first word that is neither an option nor an option's value starts the command
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--backend|-b|--batch|-c|--command) ((i++)) ;;
		-*) ;;
		*) first=$i; break ;;
		esac
	done
	if ((first == 0)); then
		if [[ $cur == -* ]]; then
			COMPREPLY=($("$bin" --complete -- "$cur" 2>/dev/null))
			return
		fi
		first=$COMP_CWORD
	fi
	local IFS=$'\n'
	COMPREPLY=($("$bin" --complete -- "${COMP_WORDS[@]:first:COMP_CWORD-first+1}" 2>/dev/null))
	# a FIELD= candidate takes its value next: no space after it
	if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
}
complete -F _iommush iommush
