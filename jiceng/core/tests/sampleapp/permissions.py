THING_VIEW = "sampleapp.view_thing"
