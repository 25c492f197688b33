"""The built-in simulated Android phone.

``phone.Phone`` is the phone itself (apps, widget trees, frames, shell programs);
``device.SimDevice`` drives it in process as ``--device sim``; ``adbd`` serves it over
the ADB protocol; ``tasks`` holds the task suite with state checks.
"""
