# A small Tk form for grounding tests; logs what it receives, one line per event.
# usage: wish form.tcl LOGFILE
set log [open [lindex $argv 0] a]
fconfigure $log -buffering line -encoding utf-8
wm title . "Grounding form"
wm geometry . 900x560+0+0
. configure -background "#f4f4f4"
label .title -text "Account settings" -font {Helvetica 20 bold} -background "#f4f4f4"
label .namel -text "Display name" -font {Helvetica 13} -background "#f4f4f4"
entry .name -font {Helvetica 13}
checkbutton .news -text "Send me the newsletter" -font {Helvetica 13} -background "#f4f4f4" \
    -command { puts $::log "newsletter" }
button .save -text "Save changes" -font {Helvetica 13} -command { puts $::log "save" }
button .cancel -text "Cancel" -font {Helvetica 13} -command { puts $::log "cancel" }
button .help -text "Help" -font {Helvetica 11} -command { puts $::log "help" }
place .title -x 30 -y 24
place .namel -x 30 -y 100
place .name -x 200 -y 96 -width 360 -height 32
place .news -x 30 -y 160
place .help -x 800 -y 20
place .save -x 560 -y 470 -width 150 -height 40
place .cancel -x 730 -y 470 -width 130 -height 40
after 300 { puts $::log "ready" }
