# cmake -DSOURCE=<repo>/web -DDEST=<build>/share/switchboard/web -P SbCopyWeb.cmake
# Lays out the dialer page as the host serves it: the page's own files, and
# the provider SDK bundles and the chart library from web/node_modules when `npm ci` has fetched
# them (scripts/web-vendor.sh). Without them the page still runs the sim
# provider and says what is missing for the others.
file(GLOB page_files "${SOURCE}/*.html" "${SOURCE}/*.js" "${SOURCE}/*.css" "${SOURCE}/*.svg")
file(MAKE_DIRECTORY "${DEST}/vendor")
foreach(file IN LISTS page_files)
  get_filename_component(name "${file}" NAME)
  file(COPY_FILE "${file}" "${DEST}/${name}" ONLY_IF_DIFFERENT)
endforeach()
# A bundle's licence file, where its package ships one, travels beside it
# (NOTICE lists every package and its licence).
set(bundles
  "@twilio/voice-sdk/dist/twilio.min.js=twilio.min.js"
  "@twilio/voice-sdk/LICENSE.md=twilio.LICENSE.md"
  "@telnyx/webrtc/lib/bundle.js=telnyx.min.js"
  "@telnyx/webrtc/package.json=telnyx.package.json"
  "uplot/dist/uPlot.iife.min.js=uPlot.iife.min.js"
  "uplot/dist/uPlot.min.css=uPlot.min.css"
  "uplot/LICENSE=uPlot.LICENSE")
foreach(pair IN LISTS bundles)
  string(REPLACE "=" ";" parts "${pair}")
  list(GET parts 0 from)
  list(GET parts 1 to)
  if(EXISTS "${SOURCE}/node_modules/${from}")
    file(COPY_FILE "${SOURCE}/node_modules/${from}" "${DEST}/vendor/${to}" ONLY_IF_DIFFERENT)
  endif()
endforeach()
