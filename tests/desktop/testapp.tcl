# A small Tk window for the desktop driver tests; it logs what it receives, one line per event.
# usage: wish testapp.tcl LOGFILE X Y
set log [open [lindex $argv 0] a]
fconfigure $log -buffering line -encoding utf-8
proc say {args} { puts $::log [join $args " "] }

wm title . "guiagent test"
wm geometry . 640x420+[lindex $argv 1]+[lindex $argv 2]
. configure -background "#ffffff"

set clicks 0
button .press -text "Press me" -command {
    incr ::clicks; say clicked; .status configure -text "Clicked $::clicks"
}
label .status -text "Waiting" -background "#ffffff"
entry .entry -width 30 -font {Helvetica 14}
canvas .canvas -width 300 -height 140 -background "#ff00ff" -highlightthickness 0
text .text -width 40 -height 6 -wrap none
for {set i 1} {$i <= 200} {incr i} { .text insert end "line $i\n" }

place .press -x 20 -y 20 -width 160 -height 40
place .status -x 200 -y 20 -width 200 -height 40
place .entry -x 20 -y 80 -width 400 -height 36
place .canvas -x 20 -y 130
place .text -x 20 -y 280 -width 400 -height 120

bind .entry <Return> { say "entry [.entry get]" }
bind .canvas <ButtonPress-1> { say "canvas %X %Y" }
bind .canvas <ButtonRelease-1> { say "release %X %Y" }
bind . <Control-k> { say "hotkey ctrl+k" }
bind .text <ButtonRelease-4> { after idle { say "scrolled [lindex [.text yview] 0]" } }
bind .text <ButtonRelease-5> { after idle { say "scrolled [lindex [.text yview] 0]" } }
bind all <Escape> { say "key escape" }

update
foreach w {.press .entry .canvas .text} {
    say "widget $w [winfo rootx $w] [winfo rooty $w] [winfo width $w] [winfo height $w]"
}
say ready
