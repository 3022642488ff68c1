<?php
// An entry point in a subdirectory (as wp-admin/*.php): guarded by the same auto_prepend_file.
require __DIR__ . '/../answer.php';
